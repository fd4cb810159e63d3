// What a handler returns to stream: `new StreamingResponse(async (stream) => { stream.write(…); }, contentType)`.
// The runtime sends each write as a chunk and a throw as the error trailers.
export class StreamingResponse {
  constructor(producer, contentType = 'application/octet-stream') {
    this.producer = producer;
    this.contentType = contentType;
  }
}
