import { sessionIdProperty as sessionId } from '../../shared/session-id';

export const sessionIdProperty = sessionId("The user's id: each user's WhatsApp is connected to the sidecar under their own id");
