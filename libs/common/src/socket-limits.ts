// One socket event may carry at most SOCKET_EVENT_MAX_BYTES (the gateway answers a bigger one
// with BAD_USER_INPUT). A frame over SOCKET_FRAME_MAX_BYTES is refused by the WebSocket layer
// itself (socket.io's maxHttpBufferSize), which closes that connection with code 1009
// ("message too big") without reading it: no answer can be sent on a connection it closed.
export const SOCKET_EVENT_MAX_BYTES = 64 * 1024;
export const SOCKET_FRAME_MAX_BYTES = 1024 * 1024;
// a session token is 43 characters; anything much longer is refused before any work
export const SOCKET_TOKEN_MAX_CHARS = 200;
