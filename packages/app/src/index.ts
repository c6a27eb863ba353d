/**
 * @todo/app: the one-process system (api and agents, in-process bus) as a layer; src/main.ts runs it for
 * `npm start`. Nothing in the workspace imports it: this is the surface a process embedding the whole system uses.
 */
export { AppLive } from "./AppLive.ts"
