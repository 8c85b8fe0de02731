/// <reference types="vite/client" />

/** Every `Type.field` of schema.graphql at build time (scripts/build-web.ts). */
declare const __MODELQL_SCHEMA_FIELDS__: string[];
