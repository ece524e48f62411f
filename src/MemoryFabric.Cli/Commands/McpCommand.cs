using System.CommandLine;
using MemoryFabric.Cli.Connection;
using MemoryFabric.Client;
using MemoryFabric.Mcp;
using MemoryFabric.Mcp.Access;
using MemoryFabric.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab mcp</c>: the MemoryFabric MCP tools over stdio, for desktop and IDE assistants that start their
/// MCP servers as processes: in front of a running server (<c>--url</c>/<c>--key</c>, or <c>MEMORYFABRIC_URL</c> and
/// <c>MEMORYFABRIC_API_KEY</c>), or on an embedded in-process fabric over <c>--data-dir</c>. Standard output carries
/// the protocol only; every log line goes to standard error. Runs until the client closes standard input.</summary>
internal static class McpCommand
{
    /// <summary>The environment variable that sets the default agent.</summary>
    public const string AgentVariable = "MEMORYFABRIC_AGENT";

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var url = new Option<string?>("--url")
        {
            Description = $"The server's URL (default: ${ConnectionOptions.UrlVariable}, else {MemoryFabricClientOptions.DefaultEndpoint.ToString().TrimEnd('/')}).",
            HelpName = "url",
        };
        var key = new Option<string?>("--key")
        {
            Description = $"The tenant API key, mfk_... (default: ${ConnectionOptions.KeyVariable}). Not needed with --data-dir.",
            HelpName = "key",
        };
        var agent = new Option<string?>("--agent", "-a")
        {
            Description = $"The agent the tools use when a call names none (default: ${AgentVariable}); without one, each call must name its agent.",
            HelpName = "name",
        };
        var dataDir = new Option<string?>("--data-dir")
        {
            Description = "Run the fabric in this process over this data directory instead of calling a server (the key is managed in <dir>/local.key).",
            HelpName = "dir",
        };
        var embedder = new Option<string?>("--embedder")
        {
            Description = "The embedder of --data-dir: auto (arctic-xs, else MiniLM, else hashing, with a warning; default), minilm, arctic-xs, hashing, or openai.",
            HelpName = "auto|minilm|arctic-xs|hashing|openai",
        };
        embedder.AcceptOnlyFromAmong([.. EmbedderFactory.Names]);
        var command = new Command("mcp", "Serve the memory as MCP tools over stdio (for Claude Desktop, IDEs and other MCP clients); logs go to stderr.")
        {
            url, key, agent, dataDir, embedder,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = Read(parseResult.GetValue(url), parseResult.GetValue(key), parseResult.GetValue(agent), parseResult.GetValue(dataDir), parseResult.GetValue(embedder));
            return await RunAsync(settings, parseResult.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static ConnectionSettings Read(string? url, string? key, string? agent, string? dataDir, string? embedder)
    {
        agent ??= NonBlank(Environment.GetEnvironmentVariable(AgentVariable));
        if (dataDir is not null)
        {
            if (url is not null || key is not null)
            {
                throw new UsageException("--data-dir runs the fabric in this process: it excludes --url and --key");
            }

            return new ConnectionSettings(MemoryFabricClientOptions.DefaultEndpoint, null, agent?.Trim() ?? string.Empty, Local: true, dataDir, embedder ?? "auto");
        }

        if (embedder is not null)
        {
            throw new UsageException("--embedder applies to --data-dir only (a server has its own embedder)");
        }

        var endpoint = MemoryFabricClientOptions.DefaultEndpoint;
        var text = url ?? NonBlank(Environment.GetEnvironmentVariable(ConnectionOptions.UrlVariable));
        if (text is not null && (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out endpoint!) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            throw new UsageException($"{(url is not null ? "--url" : ConnectionOptions.UrlVariable)}: \"{text}\" is not an http:// or https:// URL");
        }

        key ??= NonBlank(Environment.GetEnvironmentVariable(ConnectionOptions.KeyVariable));
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new UsageException($"no API key: pass a tenant key with --key or set {ConnectionOptions.KeyVariable} (or use --data-dir)");
        }

        return new ConnectionSettings(endpoint, key.Trim(), agent?.Trim() ?? string.Empty, Local: false, ConnectionOptions.DefaultDataDirectory, "auto");
    }

    private static async Task<int> RunAsync(ConnectionSettings settings, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Standard output is the protocol's: anything else that writes to the console goes to standard error.
        Console.SetOut(stderr);
        LocalServer? local = null;
        try
        {
            IMemoryFabricClient client;
            if (settings.Local)
            {
                local = await LocalServer.StartAsync(settings.DataDirectory, settings.Embedder, stderr, cancellationToken).ConfigureAwait(false);
                client = local.Client;
            }
            else
            {
                client = new MemoryFabricClient(new MemoryFabricClientOptions { Endpoint = settings.Endpoint, ApiKey = settings.Key, Timeout = TimeSpan.FromMinutes(2) });
            }

            var caller = new MemoryFabricMcpCaller(client) { DefaultAgent = settings.Agent.Length > 0 ? settings.Agent : null };
            using var host = BuildHost(caller, stderr);
            await stderr.WriteLineAsync($"memfab mcp: serving the MemoryFabric tools over stdio for {settings.Target}"
                + (caller.DefaultAgent is { } a ? $", default agent {a}" : ", no default agent")).ConfigureAwait(false);
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        finally
        {
            if (local is not null)
            {
                await local.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static IHost BuildHost(MemoryFabricMcpCaller caller, TextWriter stderr)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ErrorWriterLoggerProvider(stderr));
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>(); // memfab handles Ctrl+C and SIGTERM itself
        builder.Services.AddSingleton<IMemoryFabricMcpAccess>(new FixedMemoryFabricMcpAccess(caller));
        builder.Services.AddMcpServer().WithStdioServerTransport().WithMemoryFabricTools();
        return builder.Build();
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>A host lifetime that leaves signals to memfab.</summary>
    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
