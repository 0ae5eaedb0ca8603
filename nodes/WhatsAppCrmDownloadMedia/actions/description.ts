import type { INodeProperties } from 'n8n-workflow';
import * as download from './download.operation';

export const downloadMediaProperties: INodeProperties[] = [...download.description];
