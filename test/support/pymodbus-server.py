"""
An independent Modbus peer for the PLC conformance suite: pymodbus 3.0 (Debian python3-pymodbus) serving the wuma
station <-> PLC register map (edge/plc/register-map.ts) over TCP or RTU, with a simple PLC program: the reject
kicker copies each new `rejectPulse` sequence into `rejectConfirm` after a delay (or never), the PLC heartbeat
increments every 100 ms, the trigger counter advances on command, PackML state is set on command.

Run with Debian's interpreter (/usr/bin/python3): the python3 first on PATH may not see apt modules.

  /usr/bin/python3 pymodbus-server.py --map-json '{...}' (--tcp 0 | --rtu /dev/pts/N [--baud 115200])

Addressing: pymodbus 3.0's ModbusSlaveContext defaults to zero_mode=False, which adds 1 to every PDU address
(notes/feasibility.md §3b, notes/devices.md §3.1). We set zero_mode=True so PDU address N is block index N,
matching the map's 0-based PDU addresses.

Control: one JSON object per line on stdin, one JSON reply per line on stdout. First stdout line is
{"ready": true, "port": N} (TCP) or {"ready": true, "path": P} (RTU).
  {"op":"trigger","count":N}  {"op":"confirm","mode":"delay","ms":N}  {"op":"confirm","mode":"never"}
  {"op":"packml","state":N}   {"op":"heartbeat","ms":N}  (0 stops it)   {"op":"snapshot"}   {"op":"stop"}
"""
import argparse
import asyncio
import json
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server.async_io import ModbusSerialServer, ModbusTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

logging.disable(logging.CRITICAL)

WIDE = ("goodCount", "rejectCount", "noReadCount")
PLC_OWNED = ("triggerCounter", "rejectConfirm", "plcHeartbeat", "packmlState")
WRITE_REGISTER_FCS = (6, 16)


class Plc:
    """The PLC program: state outside the datastore, reacting to register writes."""

    def __init__(self, regmap):
        self.map = regmap
        self.h = regmap["holding"]
        self.c = regmap["coils"]
        highest = max([self.h[k] + (1 if k in WIDE else 0) for k in self.h] + list(self.c.values()))
        size = max(100, highest + 1)
        self.confirm = {"mode": "delay", "ms": 5}
        self.kicks = []
        self.accepts = 0
        self.heartbeat_ms = 100
        self.read_only = {self.h[k] for k in PLC_OWNED}
        plc = self

        class Context(ModbusSlaveContext):
            def validate(self, fc_as_hex, address, count=1):
                if fc_as_hex in WRITE_REGISTER_FCS and any(a in plc.read_only for a in range(address, address + count)):
                    return False
                return super().validate(fc_as_hex, address, count)

            def setValues(self, fc_as_hex, address, values):
                before = super().getValues(fc_as_hex, address, len(values)) if fc_as_hex in WRITE_REGISTER_FCS else None
                super().setValues(fc_as_hex, address, values)
                if before is not None:
                    plc.after_write(address, values, before)

        self.slave = Context(
            di=ModbusSequentialDataBlock(0, [0] * size),
            co=ModbusSequentialDataBlock(0, [0] * size),
            hr=ModbusSequentialDataBlock(0, [0] * size),
            ir=ModbusSequentialDataBlock(0, [0] * size),
            zero_mode=True,
        )
        self.context = ModbusServerContext(slaves=self.slave, single=True)
        self.set_hr(self.h["packmlState"], 6)

    def hr(self, address):
        return self.slave.store["h"].getValues(address, 1)[0]

    def set_hr(self, address, value):
        self.slave.store["h"].setValues(address, [value & 0xFFFF])

    def coil(self, address):
        return bool(self.slave.store["c"].getValues(address, 1)[0])

    def after_write(self, address, values, before):
        def changed(name):
            a = self.h[name]
            if address <= a < address + len(values):
                new, old = values[a - address], before[a - address]
                return new if new != 0 and new != old else None
            return None

        seq = changed("rejectPulse")
        if seq is not None:
            self.kicks.append({"sequence": seq, "reason": self.hr(self.h["rejectReason"])})
            if self.confirm["mode"] == "delay":
                asyncio.get_event_loop().call_later(self.confirm["ms"] / 1000, self.set_hr, self.h["rejectConfirm"], seq)
        if changed("acceptPulse") is not None:
            self.accepts += 1

    def u32(self, name):
        first, second = self.hr(self.h[name]), self.hr(self.h[name] + 1)
        return first * 65536 + second if self.map["wordOrder"] == "high-first" else second * 65536 + first

    def snapshot(self):
        return {
            "lineStop": self.coil(self.c["lineStop"]),
            "stackLight": {k: self.coil(self.c["stack" + k.capitalize()]) for k in ("green", "yellow", "red", "buzzer")},
            "counters": {"good": self.u32("goodCount"), "reject": self.u32("rejectCount"), "noRead": self.u32("noReadCount")},
            "stationHeartbeat": self.hr(self.h["stationHeartbeat"]),
            "triggerCounter": self.hr(self.h["triggerCounter"]),
            "plcHeartbeat": self.hr(self.h["plcHeartbeat"]),
            "packmlState": self.hr(self.h["packmlState"]),
            "rejectConfirm": self.hr(self.h["rejectConfirm"]),
            "kicks": self.kicks,
            "accepts": self.accepts,
        }

    async def heartbeat(self):
        while True:
            await asyncio.sleep(max(self.heartbeat_ms, 10) / 1000)
            if self.heartbeat_ms > 0:
                self.set_hr(self.h["plcHeartbeat"], self.hr(self.h["plcHeartbeat"]) + 1)

    def control(self, msg):
        op = msg.get("op")
        if op == "trigger":
            self.set_hr(self.h["triggerCounter"], self.hr(self.h["triggerCounter"]) + int(msg.get("count", 1)))
        elif op == "confirm":
            self.confirm = {"mode": "never"} if msg.get("mode") == "never" else {"mode": "delay", "ms": int(msg.get("ms", 5))}
        elif op == "packml":
            self.set_hr(self.h["packmlState"], int(msg["state"]))
        elif op == "heartbeat":
            self.heartbeat_ms = int(msg["ms"])
        elif op == "snapshot":
            return {"ok": True, "snapshot": self.snapshot()}
        else:
            return {"ok": False, "error": f"unknown op {op!r}"}
        return {"ok": True}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--map-json", required=True)
    parser.add_argument("--tcp", type=int)
    parser.add_argument("--rtu")
    parser.add_argument("--baud", type=int, default=115200)
    args = parser.parse_args()
    plc = Plc(json.loads(args.map_json))
    unit = plc.map["unitId"]
    plc.context = ModbusServerContext(slaves={unit: plc.slave}, single=False)
    loop = asyncio.get_event_loop()

    if args.tcp is not None:
        server = ModbusTcpServer(plc.context, framer=ModbusSocketFramer, address=("127.0.0.1", args.tcp))
        serving = loop.create_task(server.serve_forever())
        await server.serving
        ready = {"ready": True, "port": server.server.sockets[0].getsockname()[1]}
    else:
        server = ModbusSerialServer(plc.context, framer=ModbusRtuFramer, port=args.rtu, baudrate=args.baud)
        await server.start()
        serving = None
        ready = {"ready": True, "path": args.rtu}

    beat = loop.create_task(plc.heartbeat())
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    emit(ready)
    while True:
        line = await reader.readline()
        if not line:
            break
        try:
            msg = json.loads(line)
        except ValueError as exc:
            emit({"ok": False, "error": str(exc)})
            continue
        if msg.get("op") == "stop":
            break
        emit(plc.control(msg))

    beat.cancel()
    if serving is not None:
        await server.server_close()
        serving.cancel()
    else:
        await server.shutdown()
    emit({"ok": True, "stopped": True})


if __name__ == "__main__":
    asyncio.run(main())
