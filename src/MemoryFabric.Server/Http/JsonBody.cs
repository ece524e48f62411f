using System.Text.Json;
using MemoryFabric.Serialization;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Http;

/// <summary>Reads request bodies: content type, size limit, UTF-8 and JSON checked, with errors that say where.</summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context)
        where T : class
    {
        EnsureContentType(context.Request, "application/json", allowSuffix: true);
        var body = await ReadBytesAsync(context).ConfigureAwait(false);
        if (body.Length == 0)
        {
            throw RequestRejectedException.Invalid("The request body is empty; a JSON object is expected.");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(body.Span, MemoryFabricJson.Options);
        }
        catch (JsonException e)
        {
            throw RequestRejectedException.Invalid(Describe(e));
        }
        catch (InvalidOperationException e)
        {
            throw RequestRejectedException.Invalid("The body is not valid JSON: " + e.Message);
        }

        return value ?? throw RequestRejectedException.Invalid("The request body is JSON null; a JSON object is expected.");
    }

    public static async Task<ReadOnlyMemory<byte>> ReadBytesAsync(HttpContext context)
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value.MaxRequestBodySize;
        if (context.Request.ContentLength is { } declared && declared > limit)
        {
            throw TooLarge(limit);
        }

        using var buffer = new MemoryStream(context.Request.ContentLength is { } n ? (int)Math.Min(n, limit) : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    public static void EnsureContentType(HttpRequest request, string expected, bool allowSuffix)
    {
        var type = request.ContentType;
        if (type is null)
        {
            if (request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any())
            {
                return; // no body at all: the reader reports it as empty
            }

            throw Unsupported(expected);
        }

        var mediaType = type.Split(';', 2)[0].Trim();
        if (string.Equals(mediaType, expected, StringComparison.OrdinalIgnoreCase)
            || (allowSuffix && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        throw Unsupported(expected);
    }

    public static string Describe(JsonException e)
    {
        var where = e.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
        var position = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return $"The body is not valid{where}{position}: {message}";
    }

    private static RequestRejectedException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large", $"The body exceeds {limit:N0} bytes (MemoryFabric:MaxRequestBodySize).");

    private static RequestRejectedException Unsupported(string expected) =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported content type", $"Send the body as {expected}.");
}
