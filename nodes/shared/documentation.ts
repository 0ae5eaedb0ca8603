/**
 * Where each node's "Docs" link goes: the section of the repository's README
 * that describes it (package.json `homepage`). Without a link of its own, n8n's
 * editor would send a community node's users to an npm page. The codex files
 * (`<Node>.node.json`) carry the same links; test/unit/nodes/presentation.test.ts
 * checks that every anchor is a heading of README.md.
 */
export const README_URL = 'https://github.com/n8n-nodes-whatsapp-crm/n8n-nodes-whatsapp-crm/blob/main/README.md';

export const readmeSection = (anchor: string): string => `${README_URL}#${anchor}`;
