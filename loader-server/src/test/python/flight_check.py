"""Reads a Weft loader server's Flight transport with pyarrow.flight only (PROTOCOL.md section 12).

Usage: flight_check.py LOCATION TOKEN TICKET_JSON...

Prints one JSON line per ticket: {"ticket": i, "schema_meta": {...}, "batches": [{"tag": {...},
"ids": [...], "columns": [...]}]}; then checks refusals (no token, wrong token, malformed ticket,
unknown dataset) and list_flights / get_flight_info, printing {"checks": "ok"} when all hold.
Exit status 1 with a message on the first failed check. FlightTransportTest runs it.
"""
import json
import sys

import pyarrow as pa
import pyarrow.flight as fl


def fail(msg):
    print(json.dumps({"failed": msg}))
    sys.exit(1)


def main(argv):
    location, token, tickets = argv[1], argv[2], argv[3:]
    client = fl.connect(location)
    opts = fl.FlightCallOptions(headers=[(b"authorization", b"Bearer " + token.encode())])
    for i, t in enumerate(tickets):
        reader = client.do_get(fl.Ticket(t.encode()), opts)
        meta = {k.decode(): v.decode() for k, v in (reader.schema.metadata or {}).items()}
        batches = []
        for chunk in reader:
            if chunk.app_metadata is None:
                fail("a batch without app_metadata")
            tag = json.loads(chunk.app_metadata.to_pybytes())
            b = chunk.data
            if tag["rows"] != b.num_rows:
                fail(f"tag rows {tag['rows']} != batch rows {b.num_rows}")
            ids = b.column(b.schema.get_field_index("id")).to_pylist() if "id" in b.schema.names else []
            batches.append({"tag": tag, "ids": ids, "columns": b.schema.names})
        print(json.dumps({"ticket": i, "schema_meta": meta, "batches": batches}))

    # refusals: the error type pyarrow raises for each Flight status
    def expect(exc, fn, what):
        try:
            fn()
        except exc:
            return
        except Exception as e:  # noqa: BLE001
            fail(f"{what}: expected {exc}, got {type(e).__name__}: {e}")
        fail(f"{what}: expected {exc}, got no error")

    ok_ticket = fl.Ticket(b'{"v": 1, "batch_size": 100}')
    expect(fl.FlightUnauthenticatedError, lambda: client.do_get(ok_ticket).read_all(), "no token")
    bad = fl.FlightCallOptions(headers=[(b"authorization", b"Bearer nope")])
    expect(fl.FlightUnauthenticatedError, lambda: client.do_get(ok_ticket, bad).read_all(), "wrong token")
    expect(pa.ArrowInvalid, lambda: client.do_get(fl.Ticket(b"{not json"), opts).read_all(), "malformed ticket")
    expect(pa.ArrowInvalid, lambda: client.do_get(fl.Ticket(b'{"v": 1, "columns": ["nope"]}'), opts).read_all(),
           "unknown column")
    expect((KeyError, fl.FlightServerError), lambda: client.do_get(fl.Ticket(b'{"v": 1, "dataset": "x"}'), opts).read_all(),
           "unknown dataset")  # NOT_FOUND: pyarrow raises ArrowKeyError (a KeyError)

    infos = list(client.list_flights(options=opts))
    if len(infos) != 1 or infos[0].descriptor.path != [b"default"]:
        fail(f"list_flights: {infos}")
    info = client.get_flight_info(fl.FlightDescriptor.for_path("default"), opts)
    rows = client.do_get(info.endpoints[0].ticket, opts).read_all().num_rows
    if info.total_records <= 0 or rows <= 0:
        fail(f"get_flight_info: {info.total_records} records, endpoint read {rows} rows")
    cmd = fl.FlightDescriptor.for_command(b'{"v": 1, "columns": ["id"], "batch_size": 10}')
    schema = client.get_schema(cmd, opts).schema
    if schema.names != ["id"]:
        fail(f"get_schema of a command: {schema}")
    print(json.dumps({"checks": "ok"}))


if __name__ == "__main__":
    main(sys.argv)
