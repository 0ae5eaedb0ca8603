/**
 * `usableAsTool: false`, for a node that is not offered to AI agents, said
 * explicitly (n8n's community-node lint asks every node to decide). n8n reads
 * the field by truthiness (no tool variant is made for it); n8n-workflow's type
 * names only `true` or a replacements object, hence the cast.
 */
export const NOT_AN_AI_TOOL = false as unknown as undefined;
