using System.CommandLine;
using MemoryFabric.Client;
using MemoryFabric.Server.Hosting;

namespace MemoryFabric.Cli.Connection;

/// <summary>The options every data command shares: <c>--url</c>, <c>--key</c>, <c>--agent</c>, and
/// <c>--local [--data DIR] [--embedder NAME]</c>.</summary>
internal sealed class ConnectionOptions
{
    /// <summary>The environment variable that sets the server URL.</summary>
    public const string UrlVariable = "MEMORYFABRIC_URL";

    /// <summary>The environment variable that sets the tenant key.</summary>
    public const string KeyVariable = "MEMORYFABRIC_API_KEY";

    /// <summary>The data directory of local mode when <c>--data</c> is not given.</summary>
    public const string DefaultDataDirectory = "./data";

    /// <summary>Initializes the options (one set per command: System.CommandLine options belong to one command).</summary>
    /// <param name="withAgent">Whether the command works on an agent (<c>--agent</c>, required); tenant-wide commands
    /// (<c>memfab guard status</c>) have none.</param>
    public ConnectionOptions(bool withAgent = true)
    {
        WithAgent = withAgent;
        Url = new Option<string?>("--url")
        {
            Description = $"The server's URL (default: ${UrlVariable}, else {MemoryFabricClientOptions.DefaultEndpoint.ToString().TrimEnd('/')}).",
            HelpName = "url",
        };
        Key = new Option<string?>("--key")
        {
            Description = $"The tenant API key, mfk_... (default: ${KeyVariable}). Not needed with --local.",
            HelpName = "key",
        };
        Agent = new Option<string>("--agent", "-a")
        {
            Description = "The agent's name (1-128 characters of A-Z a-z 0-9 . _ - @ :).",
            HelpName = "name",
            Required = true,
        };
        Local = new Option<bool>("--local")
        {
            Description = "Run the server in-process over --data instead of calling a server (no socket; the key is managed in <data>/local.key).",
        };
        Data = new Option<string?>("--data")
        {
            Description = $"The data directory of --local (default: {DefaultDataDirectory}).",
            HelpName = "dir",
        };
        Embedder = new Option<string?>("--embedder")
        {
            Description = "The embedder of --local: auto (arctic-xs, else MiniLM, else hashing, with a warning; default), minilm, arctic-xs, hashing, or openai "
                + "(MEMORYFABRIC_OPENAI_ENDPOINT, MEMORYFABRIC_OPENAI_API_KEY, MEMORYFABRIC_OPENAI_EMBEDDING_MODEL).",
            HelpName = "auto|minilm|arctic-xs|hashing|openai",
        };
        Embedder.AcceptOnlyFromAmong([.. EmbedderFactory.Names]);
    }

    /// <summary><c>--url</c>.</summary>
    public Option<string?> Url { get; }

    /// <summary><c>--key</c>.</summary>
    public Option<string?> Key { get; }

    /// <summary>Whether the command has <c>--agent</c>.</summary>
    public bool WithAgent { get; }

    /// <summary><c>--agent</c> (required when <see cref="WithAgent"/>).</summary>
    public Option<string> Agent { get; }

    /// <summary><c>--local</c>.</summary>
    public Option<bool> Local { get; }

    /// <summary><c>--data</c>.</summary>
    public Option<string?> Data { get; }

    /// <summary><c>--embedder</c>.</summary>
    public Option<string?> Embedder { get; }

    /// <summary>Adds the options to a command.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (WithAgent)
        {
            command.Options.Add(Agent);
        }

        command.Options.Add(Url);
        command.Options.Add(Key);
        command.Options.Add(Local);
        command.Options.Add(Data);
        command.Options.Add(Embedder);
    }

    /// <summary>Reads and checks the options.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="UsageException">Contradictory or malformed options.</exception>
    public ConnectionSettings Read(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var agent = WithAgent ? parseResult.GetValue(Agent) ?? throw new UsageException("--agent is required") : string.Empty;
        if (WithAgent && string.IsNullOrWhiteSpace(agent))
        {
            throw new UsageException("--agent: the agent's name is blank");
        }

        var local = parseResult.GetValue(Local);
        var url = parseResult.GetValue(Url);
        var key = parseResult.GetValue(Key);
        var data = parseResult.GetValue(Data);
        var embedder = parseResult.GetValue(Embedder);
        if (local)
        {
            if (url is not null)
            {
                throw new UsageException("--url and --local exclude each other: --local runs the server in-process");
            }

            if (key is not null)
            {
                throw new UsageException("--key does not apply to --local (its key is managed in <data>/local.key)");
            }
        }
        else
        {
            if (data is not null)
            {
                throw new UsageException("--data applies to --local only (a server has its own data directory)");
            }

            if (embedder is not null)
            {
                throw new UsageException("--embedder applies to --local only (a server has its own embedder: memfab serve --embedder)");
            }
        }

        var endpoint = MemoryFabricClientOptions.DefaultEndpoint;
        if (!local)
        {
            var text = url ?? NonBlank(Environment.GetEnvironmentVariable(UrlVariable));
            if (text is not null)
            {
                endpoint = ParseUrl(text, url is not null ? "--url" : UrlVariable);
            }

            key ??= NonBlank(Environment.GetEnvironmentVariable(KeyVariable));
            if (string.IsNullOrWhiteSpace(key))
            {
                throw new UsageException($"no API key: pass a tenant key with --key or set {KeyVariable} (or use --local)");
            }
        }

        return new ConnectionSettings(endpoint, key?.Trim(), agent.Trim(), local, data ?? DefaultDataDirectory, embedder ?? "auto");
    }

    private static Uri ParseUrl(string text, string source)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"{source}: \"{text}\" is not an http:// or https:// URL");
        }

        return uri;
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
