using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Mcp.Conformance.Tests.Support;

/// <summary>A reverse proxy on a free loopback port that adds <c>Authorization: Bearer KEY</c> to every request and
/// forwards it to the server, for clients that cannot send a header (the conformance suite's runner). Everything else
/// passes as sent, both ways and streamed: the method, path, query, headers (<c>Host</c> and <c>Origin</c> included, so
/// that the server's DNS-rebinding check judges what the client sent, not the proxy's own address), the request body
/// and the response body chunk by chunk (SSE events reach the client as the server writes them).</summary>
internal sealed class BearerProxy : IAsyncDisposable
{
    // Per connection, not end to end (RFC 9110 7.6.1): never forwarded. Authorization is replaced by the key.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Authorization",
    };

    private readonly WebApplication _app;
    private readonly HttpMessageInvoker _upstream;
    private readonly Uri _target;
    private readonly AuthenticationHeaderValue _authorization;

    private BearerProxy(Uri target, string key)
    {
        _target = target;
        _authorization = new AuthenticationHeaderValue("Bearer", key);
        _upstream = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null, // adds no traceparent of its own
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = Path.GetTempPath() });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(ForwardAsync);
    }

    /// <summary>The proxy's address (<c>http://127.0.0.1:PORT</c>), known once started.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Starts a proxy to <paramref name="target"/> (the server's base address) that presents <paramref name="key"/>.</summary>
    public static async Task<BearerProxy> StartAsync(Uri target, string key)
    {
        var proxy = new BearerProxy(target, key);
        await proxy._app.StartAsync();
        var address = proxy._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.Address = new Uri(address);
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        try
        {
            await ForwardCoreAsync(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a reader cancelled its SSE stream): so does the upstream request.
        }
    }

    private async Task ForwardCoreAsync(HttpContext context)
    {
        var incoming = context.Request;
        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(_target, incoming.PathBase + incoming.Path + incoming.QueryString))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            request.Content = new StreamContent(incoming.Body);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (!NotForwarded.Contains(name) && !request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.Host = incoming.Host.Value; // as the client sent it: the server checks it (DNS rebinding)
        request.Headers.Authorization = _authorization;

        HttpResponseMessage response;
        try
        {
            response = await _upstream.SendAsync(request, context.RequestAborted);
        }
        catch (HttpRequestException e)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync($"bearer proxy: the server did not answer: {e.Message}", context.RequestAborted);
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!NotForwarded.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await context.Response.StartAsync(context.RequestAborted); // the headers now: an SSE stream may stay quiet a while
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
    }
}
