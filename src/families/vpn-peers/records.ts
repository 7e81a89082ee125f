import { VpnPathRecordSchema, type VpnPathRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const vpnPeersRecords = defineRecords<VpnPathRecord>('vpn-peers', VpnPathRecordSchema);
