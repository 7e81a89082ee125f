import { GatewayRecordSchema, type GatewayRecord } from '../../collect/records.js';
import { defineRecords } from '../define-records.js';

export const gatewaysRecords = defineRecords<GatewayRecord>('gateways', GatewayRecordSchema);
