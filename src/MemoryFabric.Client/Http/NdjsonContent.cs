using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MemoryFabric.Api;
using MemoryFabric.Serialization;

namespace MemoryFabric.Client.Http;

/// <summary>A request body of export records written one JSON object a line as it is sent (nothing buffered).</summary>
internal sealed class NdjsonContent : HttpContent
{
    public const string MediaType = "application/x-ndjson";

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly IEnumerable<ExportRecord>? _records;
    private readonly IAsyncEnumerable<ExportRecord>? _asyncRecords;

    public NdjsonContent(IEnumerable<ExportRecord> records)
    {
        _records = records;
        Headers.ContentType = new MediaTypeHeaderValue(MediaType) { CharSet = "utf-8" };
    }

    public NdjsonContent(IAsyncEnumerable<ExportRecord> records)
    {
        _asyncRecords = records;
        Headers.ContentType = new MediaTypeHeaderValue(MediaType) { CharSet = "utf-8" };
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_records is not null)
        {
            foreach (var record in _records)
            {
                await WriteAsync(stream, record, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (_asyncRecords is not null)
        {
            await foreach (var record in _asyncRecords.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await WriteAsync(stream, record, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    private static async Task WriteAsync(Stream stream, ExportRecord record, CancellationToken cancellationToken)
    {
        if (record is null)
        {
            throw new ArgumentException("The records to import contain a null record.");
        }

        var line = JsonSerializer.SerializeToUtf8Bytes(record, MemoryFabricJson.Options);
        await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(NewLine, cancellationToken).ConfigureAwait(false);
    }
}
