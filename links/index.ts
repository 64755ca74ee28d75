/**
 * Public surface of links/: how device drivers reach their devices — byte links (TCP, TCP listen, serial), the
 * framers that cut their streams into frames, and the OPC UA session. printers/, scanners/ and edge/ import only
 * this file; links/ imports none of them.
 */
export type { ByteLink, Disposable } from './contract.ts';
export { SILENT_LOGGER, type LogFields, type Logger, type LogLevel } from './logger.ts';
export { LinkError, LinkOfflineError, LinkTimeoutError, type LinkErrorCode } from './errors.ts';
export { TcpLink, type TcpLinkOptions } from './transport/tcp-link.ts';
export { TcpListenLink, type TcpListenLinkOptions } from './transport/tcp-listen-link.ts';
export { SerialLink, type SerialLinkOptions } from './transport/serial-link.ts';
export type { ControlByte, Frame, FrameEvent, Framer, FrameRejection, FrameRejectReason } from './framing/frame-event.ts';
export { DelimiterFramer, type DelimiterFramerOptions } from './framing/delimiter-framer.ts';
export { DelimitedFramer, type DelimitedFramerOptions, type FramerOutput } from './framing/delimited-framer.ts';
export { StxEtxFramer, type StxEtxFramerOptions } from './framing/stx-etx-framer.ts';
export { EscFramer, type EscFramerOptions } from './framing/esc-framer.ts';
export { OpcuaSession, type OpcuaModule, type OpcuaSessionOptions } from './opcua/opcua-session.ts';
