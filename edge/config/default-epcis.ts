/**
 * The EPCIS context used when a station config has no `epcis` section (demo, tests, a bare CLI): codes are named
 * under a local URI namespace. A real station configures its readPoint, bizLocation and identifier scheme.
 */
export const DEFAULT_EPCIS_CONFIG = { identifiers: { uriTemplate: 'https://id.wuma.local/{kind}/{code}' } } as const;
