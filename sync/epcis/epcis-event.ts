/**
 * The EPCIS 2.0 JSON event shapes the station emits (EPCIS 2.0 §7.4; JSON schema `ObjectEvent`,
 * `AggregationEvent`, `AssociationEvent`). Key order here is the order of the frozen JSON text.
 */
export type EpcisEventType = 'ObjectEvent' | 'AggregationEvent' | 'AssociationEvent';
export type EpcisAction = 'ADD' | 'OBSERVE' | 'DELETE';

export interface EpcisEvent {
  readonly type: EpcisEventType;
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string;
  readonly parentID?: string;
  readonly epcList?: readonly string[];
  readonly childEPCs?: readonly string[];
  readonly action: EpcisAction;
  readonly bizStep: string;
  readonly disposition?: string;
  readonly readPoint?: { readonly id: string };
  readonly bizLocation?: { readonly id: string };
  readonly bizTransactionList?: readonly { readonly type: string; readonly bizTransaction: string }[];
  readonly sourceList?: readonly { readonly type: string; readonly source: string }[];
  readonly destinationList?: readonly { readonly type: string; readonly destination: string }[];
  readonly ilmd?: Readonly<Record<string, string>>;
}
