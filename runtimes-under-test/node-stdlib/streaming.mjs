// How a node-stdlib handler streams its response: it returns
//
//   new StreamingResponse(async (stream) => { stream.write('chunk'); … }, 'text/plain; charset=utf-8')
//
// The runtime opens the streamed POST …/response, then calls the producer with `stream`: each stream.write(chunk)
// (string or Buffer) goes out as one HTTP chunk at once, stream.end(chunk?) finishes early (otherwise the response
// ends when the producer settles), and a throw or rejection from the producer is reported in the
// Lambda-Runtime-Function-Error-Type / -Body trailers after the chunks already sent.
export class StreamingResponse {
  constructor(producer, contentType = 'application/octet-stream') {
    this.producer = producer;
    this.contentType = contentType;
  }
}
