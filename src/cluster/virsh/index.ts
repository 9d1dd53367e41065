/** Pure parsers of `virsh` output (run as `LC_ALL=C virsh …`): values or located errors, never a throw. */
export { type Parsed, excerpt } from './parse.js';
export { type NodeInfo, parseNodeInfo } from './nodeinfo.js';
export { type NodeMemStats, parseNodeMemStats } from './nodememstats.js';
export { type HostCapabilities, parseCapabilities } from './capabilities.js';
export { type XmlElement, parseXml } from './xml.js';
export { DOMAIN_STATES, type DomainInfo, type DomainState, type DomainStats, PAUSED_MIGRATION, parseDomInfo, parseDomState, parseDomStats, parseDomainNames } from './domains.js';
export { type DomainJob, jobFraction, parseDomJobInfo } from './jobinfo.js';
