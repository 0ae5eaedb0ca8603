// End-to-end tests start real servers (n8n, the sidecar); a test may take minutes.
jest.setTimeout(180_000);
