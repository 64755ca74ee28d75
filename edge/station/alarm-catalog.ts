/**
 * What the station can alarm about (issue 4 §6). Each alarm says what happened and what to do next, Chinese
 * first, English in parentheses, and has a level that drives the stack light:
 * - `warning`: yellow, the line keeps running;
 * - `stop`: red + buzzer, and the PLC line-stop output is set (the station stopped, or must not go on unseen).
 */
export const ALARM_KINDS = [
  'reader-offline', 'printer-fault', 'plc-offline', 'reject-not-confirmed', 'consecutive-rejects', 'disk-low', 'database-error',
  'pallet-label-failed', 'pallet-case-refused', 'case-label-failed', 'cases-unseen',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export type AlarmLevel = 'warning' | 'stop';

export interface AlarmText {
  readonly level: AlarmLevel;
  /** What happened. */
  readonly message: string;
  /** What to do next. */
  readonly action: string;
  /** Cleared by the operator (acknowledge), not by the condition going away. */
  readonly needsAck: boolean;
}

/** The catalogue; `detail` is appended to the message (device name, counts). It must hold no secret code. */
export const ALARM_TEXT: Readonly<Record<AlarmKind, AlarmText>> = {
  'reader-offline': {
    level: 'warning', needsAck: false,
    message: '读码器离线 (reader offline)',
    action: '检查读码器电源和网线/串口；恢复前经过的箱子按无读剔除，送返工台复扫 (check power and cable; cases passing meanwhile are rejected as no-read)',
  },
  'printer-fault': {
    level: 'warning', needsAck: false,
    message: '打印机故障 (printer fault)',
    action: '按打印机面板提示处理（碳带、标签纸、打印头），故障清除后自动恢复 (clear the fault shown on the printer; printing resumes by itself)',
  },
  'plc-offline': {
    level: 'stop', needsAck: false,
    message: 'PLC 通讯中断，无法剔除 (PLC link lost; rejects cannot be kicked)',
    action: '检查 PLC 网线/串口和电源；恢复前的不良箱可能未被剔除，请人工检查剔除口 (check the PLC link; inspect the reject station by hand)',
  },
  'reject-not-confirmed': {
    level: 'stop', needsAck: true,
    message: '剔除未确认：不良箱可能仍在线上 (reject not confirmed: the bad case may still be on the line)',
    action: '停线后在剔除口下游找到该箱并送返工台，检查剔除气缸和确认传感器，然后确认报警 (find the case downstream of the kicker, check kicker and sensor, then acknowledge)',
  },
  'consecutive-rejects': {
    level: 'warning', needsAck: false,
    message: '连续剔除 (several rejects in a row)',
    action: '检查读码器视野、光源和来料（码包、瓶盖、纸箱是否混料）；下一个合格箱自动清除 (check camera view, lighting and material; clears on the next good case)',
  },
  'disk-low': {
    level: 'stop', needsAck: false,
    message: '磁盘空间不足，工位已安全停止 (disk nearly full; the station stopped safely)',
    action: '请信息部清理磁盘或导出旧数据，然后复位工位；停线时在工位上的箱子需重新扫描 (free disk space, then reset; rescan the case that was at the station)',
  },
  'database-error': {
    level: 'stop', needsAck: true,
    message: '数据库错误，工位已停止 (database error; the station stopped)',
    action: '联系信息部检查数据库和磁盘，运行 wuma verify 后复位；停线时在工位上的箱子送返工台 (call IT, run wuma verify, then reset; send the case at the station to rework)',
  },
  'pallet-label-failed': {
    level: 'warning', needsAck: false,
    message: '垛标签打印或复核多次失败 (pallet label failed several times)',
    action: '检查标签打印机和复核读码器，撕掉错误标签，然后在界面点"结束本垛"重试 (check printer and verifier, remove wrong labels, then end the pallet again)',
  },
  'pallet-case-refused': {
    level: 'warning', needsAck: true,
    message: '组垛时读到不可用的箱码 (a case that cannot go on this pallet was read)',
    action: '把该箱从垛上取下送返工台（非本批次、未装箱或已组垛），然后确认报警 (take the case off the pallet and send it to rework, then acknowledge)',
  },
  'case-label-failed': {
    level: 'warning', needsAck: false,
    message: '箱码打印或复核反复失败 (case code print or read-back failed repeatedly)',
    action: '检查箱码打印机（墨水/碳带、喷头、标签）和复核读码器的视野；失败的箱码已作废，打不出箱码的箱按箱码错误剔除，撕掉错误标签后送返工台；下一个一次复核通过的箱码自动清除 (check the case printer and the verifier; failed codes were voided, cases without a verified code were rejected — remove wrong labels and send them to rework; clears when a label verifies at the first try)',
  },
  'cases-unseen': {
    level: 'stop', needsAck: true,
    message: '有箱子未经检测通过 (cases passed unseen)',
    action: '停线，把最近经过工位的箱子（数量见报警）拿回，逐箱人工复检或送返工台复扫，然后确认报警 (stop the line, bring back the last cases that passed — count in the alarm — re-check each by hand or rescan at rework, then acknowledge)',
  },
};
