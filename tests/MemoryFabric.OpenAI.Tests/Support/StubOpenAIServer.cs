using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.OpenAI.Tests.Support;

/// <summary>A request the stub received.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The request path.</param>
/// <param name="Authorization">The Authorization header, or null.</param>
/// <param name="Body">The raw request body.</param>
public sealed record StubRequest(string Method, string Path, string? Authorization, string Body)
{
    /// <summary>The body parsed as JSON.</summary>
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("The request body is empty.");
}

/// <summary>
/// A small local stand-in for an OpenAI-compatible server on 127.0.0.1 and a free port: <c>POST /v1/embeddings</c>
/// and <c>POST /v1/chat/completions</c> (plain and <c>stream: true</c> server-sent events). It records every request
/// and answers deterministically; a test can take over the answer with <see cref="Handler"/>.
/// </summary>
public sealed class StubOpenAIServer : IAsyncDisposable
{
    /// <summary>The id of every chat completion.</summary>
    public const string CompletionId = "chatcmpl-stub-1";

    /// <summary>The creation time of every chat completion (Unix seconds).</summary>
    public const long Created = 1_700_000_000;

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StubRequest> _requests = new();

    private StubOpenAIServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The API base address, <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The requests received so far, in order.</summary>
    public IReadOnlyList<StubRequest> Requests => [.. _requests];

    /// <summary>
    /// Takes over the answer: called for each request (already recorded) with its number from 1; returns true when it
    /// wrote the response, false to fall back to the default behaviour.
    /// </summary>
    public Func<HttpContext, StubRequest, int, Task<bool>>? Handler { get; set; }

    /// <summary>The token usage reported for every chat completion.</summary>
    public static (int Prompt, int Completion, int Total) ChatUsage => (11, 7, 18);

    /// <summary>Starts a stub on a free loopback port.</summary>
    /// <returns>The running stub.</returns>
    public static async Task<StubOpenAIServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        StubOpenAIServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync();
        var address = new Uri(app.Urls.First());
        server = new StubOpenAIServer(app, new Uri($"http://127.0.0.1:{address.Port}/v1"));
        return server;
    }

    /// <summary>The vector the stub returns for a text: its length, then 0.1, 0.2, ... up to the size.</summary>
    /// <param name="text">The input text.</param>
    /// <param name="dimensions">The vector size.</param>
    /// <returns>The vector.</returns>
    public static float[] VectorFor(string text, int dimensions)
    {
        var vector = new float[dimensions];
        vector[0] = text.Length;
        for (var i = 1; i < dimensions; i++)
        {
            vector[i] = i / 10f;
        }

        return vector;
    }

    /// <summary>The reply the stub gives to a chat whose last user message is <paramref name="lastUserText"/>.</summary>
    /// <param name="lastUserText">The text of the last user message.</param>
    /// <returns>The reply.</returns>
    public static string ReplyTo(string lastUserText) => $"Echo: {lastUserText}";

    /// <summary>Writes an OpenAI-style error response.</summary>
    /// <param name="context">The request context.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">The error message.</param>
    /// <param name="code">The error code.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public static Task WriteErrorAsync(HttpContext context, int status, string message, string code = "stub_error")
    {
        var error = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message,
                ["type"] = status == 401 ? "invalid_request_error" : "server_error",
                ["param"] = null,
                ["code"] = code,
            },
        };
        return WriteAsync(context, status, "application/json", error.ToJsonString());
    }

    /// <summary>Writes a response with a given status, type and body.</summary>
    /// <param name="context">The request context.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="contentType">The content type.</param>
    /// <param name="body">The body.</param>
    /// <returns>A task that completes when the response is written.</returns>
    public static async Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = new StubRequest(
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Request.Headers.Authorization.Count > 0 ? context.Request.Headers.Authorization.ToString() : null,
            body);
        _requests.Enqueue(request);
        var number = _requests.Count;

        if (Handler is { } handler && await handler(context, request, number))
        {
            return;
        }

        switch (request.Method, request.Path)
        {
            case ("POST", "/v1/embeddings"):
                await WriteEmbeddingsAsync(context, request.Json);
                break;
            case ("POST", "/v1/chat/completions") when request.Json["stream"]?.GetValue<bool>() == true:
                await WriteChatStreamAsync(context, request.Json);
                break;
            case ("POST", "/v1/chat/completions"):
                await WriteChatAsync(context, request.Json);
                break;
            default:
                await WriteErrorAsync(context, 404, $"No route for {request.Method} {request.Path}.", "not_found");
                break;
        }
    }

    private static async Task WriteEmbeddingsAsync(HttpContext context, JsonNode json)
    {
        var model = json["model"]!.GetValue<string>();
        var inputs = json["input"] is JsonArray array
            ? array.Select(item => item!.GetValue<string>()).ToList()
            : [json["input"]!.GetValue<string>()];
        var dimensions = json["dimensions"]?.GetValue<int>() ?? 3;
        var base64 = json["encoding_format"]?.GetValue<string>() == "base64";

        // The items go out in reverse order: clients must place them by their index.
        var data = new JsonArray();
        for (var i = inputs.Count - 1; i >= 0; i--)
        {
            var vector = VectorFor(inputs[i], dimensions);
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = base64 ? ToBase64(vector) : new JsonArray([.. vector.Select(v => (JsonNode)v)]),
            });
        }

        var tokens = inputs.Sum(text => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        var response = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        };
        await WriteAsync(context, 200, "application/json", response.ToJsonString());
    }

    private static string ToBase64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    private static string LastUserText(JsonNode json)
    {
        var last = json["messages"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "user")!;
        return last["content"] switch
        {
            JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.GetValue<string>())),
            var content => content!.GetValue<string>(),
        };
    }

    private static JsonObject Usage() => new()
    {
        ["prompt_tokens"] = ChatUsage.Prompt,
        ["completion_tokens"] = ChatUsage.Completion,
        ["total_tokens"] = ChatUsage.Total,
    };

    private static async Task WriteChatAsync(HttpContext context, JsonNode json)
    {
        var response = new JsonObject
        {
            ["id"] = CompletionId,
            ["object"] = "chat.completion",
            ["created"] = Created,
            ["model"] = json["model"]!.GetValue<string>(),
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = ReplyTo(LastUserText(json)) },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = Usage(),
        };
        await WriteAsync(context, 200, "application/json", response.ToJsonString());
    }

    private static async Task WriteChatStreamAsync(HttpContext context, JsonNode json)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        var model = json["model"]!.GetValue<string>();

        JsonObject Chunk(JsonObject delta, string? finishReason) => new()
        {
            ["id"] = CompletionId,
            ["object"] = "chat.completion.chunk",
            ["created"] = Created,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason }),
        };

        async Task SendAsync(string data)
        {
            await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        await SendAsync(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty }, null).ToJsonString());
        foreach (var piece in Pieces(ReplyTo(LastUserText(json))))
        {
            await SendAsync(Chunk(new JsonObject { ["content"] = piece }, null).ToJsonString());
        }

        await SendAsync(Chunk([], "stop").ToJsonString());
        if (json["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
        {
            var usage = new JsonObject
            {
                ["id"] = CompletionId,
                ["object"] = "chat.completion.chunk",
                ["created"] = Created,
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = Usage(),
            };
            await SendAsync(usage.ToJsonString());
        }

        await SendAsync("[DONE]");
    }

    /// <summary>Splits a text into word pieces that keep their leading space, as token streams do.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The pieces, which concatenate back to the text.</returns>
    public static IEnumerable<string> Pieces(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == ' ')
            {
                yield return text[start..i];
                start = i;
            }
        }
    }
}
