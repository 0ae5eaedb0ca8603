'use strict';
/**
 * The package's entry point: the framework-free core that the n8n nodes and
 * the sidecar share — webhook signing and verification, phone number and
 * WhatsApp id parsing, the normalized event schema and its normalizers,
 * contact matching and the webhook receivers. n8n itself loads the nodes and
 * credentials listed in package.json's "n8n" section, not this file.
 *
 *   const { signSidecarPayload, parseWhatsAppId } = require('n8n-nodes-whatsapp-crm');
 */
module.exports = require('./dist/core');
