export * from './types';
export { downloadSidecarMedia, fileNameFromDisposition, type SidecarMediaTarget } from './sidecar';
export { downloadCloudApiMedia, mayReceiveToken, parseCloudApiMediaInfo, type CloudApiMediaInfo, type CloudApiMediaTarget } from './cloud-api';
export { downloadMediaByRef, requireMediaRef, type DownloadByRefOptions, type MediaSourceTarget } from './download-by-ref';
