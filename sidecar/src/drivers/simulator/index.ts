export { SimulatorDriver, createSimulatorDriver, type SimulatorDriverOptions } from './simulator-driver';
export {
	SimulatorSession,
	SimulatorError,
	DEFAULT_GROUP_JID,
	SIMULATOR_AUTH_FILE,
	SIMULATOR_STORE_FILE,
	SIMULATOR_OFFLINE_FILE,
	deliverWhileOffline,
	type InboundInput,
	type SimulatorSnapshot,
	type SimulatorSent,
} from './simulator-session';
export { seedHistory, type SeedOptions, type SeedResult } from './history';
export { serializeMessageId, newMessageKey, newQrText } from './ids';
export { simulatedMediaBytes, SIMULATOR_MEDIA_DEFAULT_SIZE } from './media';
