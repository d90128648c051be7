"""Times reading one Flight stream of a Weft loader server with pyarrow.flight.

Usage: flight_bench.py LOCATION TICKET_JSON MAX_BATCHES
Prints RESULT <batches> <rows> <bytes> <seconds>, bytes = the record batches' buffer sizes.
FlightTransportBenchmark runs it.
"""
import sys
import time

import pyarrow.flight as fl


def main(location, ticket, limit):
    client = fl.connect(location)
    reader = client.do_get(fl.Ticket(ticket.encode()))
    batches = rows = nbytes = 0
    t0 = time.perf_counter()
    for chunk in reader:
        batches += 1
        rows += chunk.data.num_rows
        nbytes += chunk.data.nbytes
        if batches >= limit:
            break
    seconds = time.perf_counter() - t0
    reader.cancel()
    print(f"RESULT {batches} {rows} {nbytes} {seconds}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
