import { DataType, OPCUAServer, StatusCodes, Variant, nodesets, type UAObject, type UAVariable, type UAEventType } from 'node-opcua';
import type { OpcuaTagMap, OpcuaVariableName } from '../opcua-tag-map.ts';
import type { ConfirmMode, SimulatedPlcSnapshot } from './simulated-plc.ts';

/**
 * An OPC UA line PLC for the station (node-opcua server; there is no independent OPC UA peer offline, so tests run it
 * in its own process — notes/devices.md §5). It exposes the tag map: level variables (writable for station→PLC
 * levels, read-only for PLC-owned tags: heartbeat, trigger counter, PackML state), the methods PulseReject(Reason)
 * → Sequence and Accept() → Sequence, and one event type whose `Fact` is 'trigger' (Number = trigger counter; one
 * event per PLC scan, so a jump of 3 means 3 edges) or 'reject-confirm' (Number = the confirmed sequence).
 */
export interface OpcuaPlcEmulatorOptions {
  readonly port: number;
  readonly tags: OpcuaTagMap;
  readonly confirm?: ConfirmMode;
  readonly heartbeatMs?: number;
  readonly packmlState?: number;
  /**
   * The trigger counter at start (u16, default 0): a restarted PLC may resume from a retained value or from 0;
   * tests start a second server on the same port with the counter the line reached while the first was down.
   */
  readonly triggerCounter?: number;
}

/** What the OPC UA PLC shows: the Modbus simulation's snapshot, less the confirm register (confirms are events here). */
export type OpcuaPlcSnapshot = Omit<SimulatedPlcSnapshot, 'rejectConfirm'>;

export interface OpcuaPlcEmulator {
  readonly endpointUrl: string;
  readonly port: number;
  advanceTrigger(edges: number): void;
  setConfirm(confirm: ConfirmMode): void;
  setPackmlState(state: number): void;
  setHeartbeat(ms: number): void;
  /** Back to the start state (tests reuse one server process across cases). */
  reset(): void;
  snapshot(): OpcuaPlcSnapshot;
  stop(): Promise<void>;
}

const TYPES: Readonly<Record<OpcuaVariableName, { dataType: 'Boolean' | 'UInt16' | 'UInt32' | 'Int32'; writable: boolean }>> = {
  lineStop: { dataType: 'Boolean', writable: true },
  stackGreen: { dataType: 'Boolean', writable: true },
  stackYellow: { dataType: 'Boolean', writable: true },
  stackRed: { dataType: 'Boolean', writable: true },
  stackBuzzer: { dataType: 'Boolean', writable: true },
  stationHeartbeat: { dataType: 'UInt16', writable: true },
  plcHeartbeat: { dataType: 'UInt16', writable: false },
  triggerCounter: { dataType: 'UInt16', writable: false },
  packmlState: { dataType: 'Int32', writable: false },
  goodCount: { dataType: 'UInt32', writable: true },
  rejectCount: { dataType: 'UInt32', writable: true },
  noReadCount: { dataType: 'UInt32', writable: true },
};

export async function startOpcuaPlcEmulator(options: OpcuaPlcEmulatorOptions): Promise<OpcuaPlcEmulator> {
  const tags = options.tags;
  const server = new OPCUAServer({
    port: options.port,
    hostname: '127.0.0.1',
    nodeset_filename: [nodesets.standard],
    buildInfo: { productName: 'wuma PLC emulator', manufacturerName: 'wuma' },
    serverInfo: { applicationName: { text: 'wuma-plc-emulator' } },
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace;
  if (addressSpace === null) throw new Error('OPC UA address space not created');
  const namespace = addressSpace.registerNamespace(tags.namespaceUri);
  const plcObject: UAObject = namespace.addObject({
    browseName: tags.object,
    nodeId: `s=${tags.object}`,
    organizedBy: addressSpace.rootFolder.objects,
    eventNotifier: 1,
  });
  const eventType: UAEventType = namespace.addEventType({ browseName: tags.eventType, subtypeOf: 'BaseEventType' });
  namespace.addVariable({ propertyOf: eventType, browseName: 'Fact', dataType: 'String', modellingRule: 'Mandatory' });
  namespace.addVariable({ propertyOf: eventType, browseName: 'Number', dataType: 'UInt32', modellingRule: 'Mandatory' });

  const values = new Map<OpcuaVariableName, number | boolean>();
  const nodes = new Map<OpcuaVariableName, UAVariable>();
  for (const [name, t] of Object.entries(TYPES) as [OpcuaVariableName, (typeof TYPES)[OpcuaVariableName]][]) {
    const id = tags.variables[name];
    values.set(name, t.dataType === 'Boolean' ? false : 0);
    const dataType = DataType[t.dataType];
    nodes.set(name, namespace.addVariable({
      componentOf: plcObject,
      browseName: id.split('.').slice(1).join('.') || id,
      nodeId: `s=${id}`,
      dataType: t.dataType,
      minimumSamplingInterval: 10,
      accessLevel: t.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: t.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      value: {
        get: () => new Variant({ dataType, value: values.get(name) }),
        ...(t.writable ? { set: (v: Variant) => { values.set(name, v.value as number | boolean); return StatusCodes.Good; } } : {}),
      },
    }));
  }
  const initialPackml = options.packmlState ?? 6;
  values.set('packmlState', initialPackml);
  values.set('triggerCounter', (options.triggerCounter ?? 0) & 0xffff);

  let confirm: ConfirmMode = options.confirm ?? { mode: 'delay', ms: 5 };
  let kicks: { sequence: number; reason: number }[] = [];
  let accepts = 0;
  let rejectSeq = 0;
  let acceptSeq = 0;
  const timers = new Set<NodeJS.Timeout>();
  const raise = (fact: 'trigger' | 'reject-confirm', number: number): void => {
    plcObject.raiseEvent(eventType, {
      fact: { dataType: DataType.String, value: fact },
      number: { dataType: DataType.UInt32, value: number },
      message: { dataType: DataType.LocalizedText, value: { text: `${fact} ${number}` } },
      severity: { dataType: DataType.UInt16, value: 100 },
    });
  };
  const next = (n: number): number => ((n + 1) & 0xffff) || 1;

  const pulse = namespace.addMethod(plcObject, {
    browseName: tags.methods.pulseReject.split('.').pop() ?? 'PulseReject',
    nodeId: `s=${tags.methods.pulseReject}`,
    inputArguments: [{ name: 'Reason', dataType: DataType.UInt16, description: { text: '剔除原因 (reject reason)' } }],
    outputArguments: [{ name: 'Sequence', dataType: DataType.UInt16, description: { text: '剔除序号 (pulse sequence)' } }],
  });
  pulse.bindMethod((inputs, _context, callback) => {
    const reason = Number(inputs[0]?.value ?? 0);
    if (reason < 1 || reason > 0xffff) { callback(null, { statusCode: StatusCodes.BadOutOfRange }); return; }
    rejectSeq = next(rejectSeq);
    const sequence = rejectSeq;
    kicks.push({ sequence, reason });
    callback(null, { statusCode: StatusCodes.Good, outputArguments: [new Variant({ dataType: DataType.UInt16, value: sequence })] });
    if (confirm.mode === 'never') return;
    const t = setTimeout(() => { timers.delete(t); raise('reject-confirm', sequence); }, confirm.ms);
    timers.add(t);
  });
  const accept = namespace.addMethod(plcObject, {
    browseName: tags.methods.accept.split('.').pop() ?? 'Accept',
    nodeId: `s=${tags.methods.accept}`,
    inputArguments: [],
    outputArguments: [{ name: 'Sequence', dataType: DataType.UInt16 }],
  });
  accept.bindMethod((_inputs, _context, callback) => {
    acceptSeq = next(acceptSeq);
    accepts++;
    callback(null, { statusCode: StatusCodes.Good, outputArguments: [new Variant({ dataType: DataType.UInt16, value: acceptSeq })] });
  });

  let beatTimer: NodeJS.Timeout | null = null;
  const setHeartbeat = (ms: number): void => {
    if (beatTimer) clearInterval(beatTimer);
    beatTimer = ms > 0 ? setInterval(() => { values.set('plcHeartbeat', ((values.get('plcHeartbeat') as number) + 1) & 0xffff); }, ms) : null;
  };
  setHeartbeat(options.heartbeatMs ?? 100);

  await server.start();
  const endpointUrl = server.getEndpointUrl();
  const bool = (n: OpcuaVariableName): boolean => values.get(n) === true;
  const num = (n: OpcuaVariableName): number => Number(values.get(n));
  return {
    endpointUrl,
    port: Number(new URL(endpointUrl.replace('opc.tcp', 'http')).port),
    advanceTrigger(edges) {
      const counter = (num('triggerCounter') + edges) & 0xffff;
      values.set('triggerCounter', counter);
      raise('trigger', counter);
    },
    setConfirm(c) { confirm = c; },
    setPackmlState(state) { values.set('packmlState', state); },
    setHeartbeat,
    reset() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const [name, t] of Object.entries(TYPES) as [OpcuaVariableName, (typeof TYPES)[OpcuaVariableName]][]) {
        if (name !== 'triggerCounter' && name !== 'plcHeartbeat') values.set(name, t.dataType === 'Boolean' ? false : 0);
      }
      values.set('packmlState', initialPackml);
      confirm = options.confirm ?? { mode: 'delay', ms: 5 };
      kicks = [];
      accepts = 0;
      setHeartbeat(options.heartbeatMs ?? 100);
    },
    snapshot() {
      return {
        lineStop: bool('lineStop'),
        stackLight: { green: bool('stackGreen'), yellow: bool('stackYellow'), red: bool('stackRed'), buzzer: bool('stackBuzzer') },
        counters: { good: num('goodCount'), reject: num('rejectCount'), noRead: num('noReadCount') },
        stationHeartbeat: num('stationHeartbeat'),
        triggerCounter: num('triggerCounter'),
        plcHeartbeat: num('plcHeartbeat'),
        packmlState: num('packmlState'),
        kicks: [...kicks],
        accepts,
      };
    },
    async stop() {
      if (beatTimer) clearInterval(beatTimer);
      for (const t of timers) clearTimeout(t);
      await server.shutdown(0);
    },
  };
}
