import type { Reader, ReaderState } from '../../scanners/index.ts';
import type { AlarmBoard } from './alarm-board.ts';
import { DeviceLink, type DeviceLinkKind } from './device-link.ts';
import type { Logger } from './logger.ts';

/** A reader's link drops as `faulted`: always a lost link, so always reopened; the alarm names the reader. */
const READER: DeviceLinkKind<Reader, ReaderState> = {
  alarm: 'reader-offline',
  usable: ['ready'],
  closeBeforeRetry: false,
  faultedLog: '读码器离线 (reader offline)',
  openFailedLog: '读码器连接失败 (reader open failed)',
  openFailedDetail: (name) => name,
  watch: (reader, name, listener) => reader.onStateChange((state, previous) => { listener(state, { fields: { previous }, detail: name, reopen: true }); }),
};

/**
 * Keeps one reader connected (DeviceLink): raises `reader-offline` when its link drops (state `faulted`, or an
 * open that fails) and reopens it with a doubling back-off (200 ms … 5 s) until `close()`. The alarm clears when
 * the reader is `ready`.
 */
export class ReaderLink extends DeviceLink<Reader, ReaderState> {
  readonly reader: Reader;

  constructor(name: string, reader: Reader, alarms: AlarmBoard, log: Logger) {
    super(name, reader, alarms, log, READER);
    this.reader = reader;
  }
}
