import type { DeviceTestView, DeviceView, ProbeResultView } from './contract.ts';

/** A device the IT screen lists, with the way to probe it (built from the station config by edge/devices/devices-from-config.ts). */
export interface ApiDevice {
  readonly view: DeviceView;
  /** Connects, asks status/identity, disconnects; never throws (a failure is a value). */
  probe(): Promise<ProbeResultView>;
  /** Prints one test code (printer) or triggers one read (reader), then disconnects; never throws. */
  test(): Promise<DeviceTestView>;
}
