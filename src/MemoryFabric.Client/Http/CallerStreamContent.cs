using System.Net;
using System.Net.Http.Headers;

namespace MemoryFabric.Client.Http;

/// <summary>A request body read from the caller's stream, which it neither disposes nor closes. A seekable stream is
/// rewound to <c>start</c> (where it was when the call began) for each attempt, so the request can be retried.</summary>
internal sealed class CallerStreamContent : HttpContent
{
    private readonly Stream _source;
    private readonly long _start;

    public CallerStreamContent(Stream source, long start, string mediaType)
    {
        _source = source;
        _start = start;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_source.CanSeek)
        {
            _source.Position = _start;
        }

        await _source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        if (_source.CanSeek)
        {
            length = Math.Max(0, _source.Length - _start);
            return true;
        }

        length = 0;
        return false;
    }
}
