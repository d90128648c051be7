package dev.weft.loader;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.arrow.flight.CallHeaders;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.auth2.CallHeaderAuthenticator;

/**
 * Checks that a Flight call carries the server's token as {@code authorization: Bearer <token>}
 * (PROTOCOL.md section 12.5), compared in constant time; refuses it with {@code UNAUTHENTICATED}
 * otherwise.
 */
final class TokenAuthenticator implements CallHeaderAuthenticator {
  private final byte[] expected;

  TokenAuthenticator(String token) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public AuthResult authenticate(CallHeaders headers) {
    String got = headers.get("authorization");
    if (got == null) {
      throw CallStatus.UNAUTHENTICATED.withDescription("this server needs a token: send the header"
          + " 'authorization: Bearer <token>'").toRuntimeException();
    }
    if (!MessageDigest.isEqual(expected, got.getBytes(StandardCharsets.UTF_8))) {
      throw CallStatus.UNAUTHENTICATED.withDescription("wrong token").toRuntimeException();
    }
    return () -> "weft-client";
  }
}
