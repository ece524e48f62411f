using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using MemoryFabric.Client;
using MemoryFabric.Server.Security;

namespace MemoryFabric.Cli.Connection;

/// <summary>The options of the admin commands (<c>memfab tenants ...</c>): <c>--url</c> and <c>--key</c>, the admin key
/// (default <c>$MEMORYFABRIC_ADMIN_KEY</c>). They talk to a running server only: there is no <c>--local</c>.</summary>
internal sealed class AdminConnectionOptions
{
    /// <summary>Initializes the options (one set per command).</summary>
    public AdminConnectionOptions()
    {
        Url = new Option<string?>("--url")
        {
            Description = $"The server's URL (default: ${ConnectionOptions.UrlVariable}, else {MemoryFabricClientOptions.DefaultEndpoint.ToString().TrimEnd('/')}).",
            HelpName = "url",
        };
        Key = new Option<string?>("--key")
        {
            Description = $"The server's admin key (default: ${AdminKey.EnvironmentVariable}; `memfab serve` keeps it in <data>/admin.key).",
            HelpName = "key",
        };
    }

    /// <summary><c>--url</c>.</summary>
    public Option<string?> Url { get; }

    /// <summary><c>--key</c>.</summary>
    public Option<string?> Key { get; }

    /// <summary>Adds the options to a command.</summary>
    /// <param name="command">The command.</param>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Url);
        command.Options.Add(Key);
    }

    /// <summary>Reads and checks the options.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <returns>The server and the admin key.</returns>
    /// <exception cref="UsageException">No key, or a malformed URL.</exception>
    public (Uri Endpoint, string Key) Read(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var url = parseResult.GetValue(Url);
        var text = url ?? NonBlank(Environment.GetEnvironmentVariable(ConnectionOptions.UrlVariable));
        var endpoint = MemoryFabricClientOptions.DefaultEndpoint;
        if (text is not null)
        {
            var source = url is not null ? "--url" : ConnectionOptions.UrlVariable;
            if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new UsageException($"{source}: \"{text}\" is not an http:// or https:// URL");
            }

            endpoint = uri;
        }

        var key = NonBlank(parseResult.GetValue(Key)) ?? NonBlank(Environment.GetEnvironmentVariable(AdminKey.EnvironmentVariable))
            ?? throw new UsageException($"no admin key: pass it with --key or set {AdminKey.EnvironmentVariable} (`memfab serve` keeps it in <data>/admin.key)");
        return (endpoint, key.Trim());
    }

    private static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>Runs the body of an admin command with an admin client and turns what can go wrong into one line on standard
/// error and an exit code, as <see cref="DataCommandRunner"/> does for the data commands.</summary>
internal static class AdminCommandRunner
{
    /// <summary>Creates the admin client, runs the body, and reports errors.</summary>
    /// <param name="parseResult">The parsed command line.</param>
    /// <param name="options">The command's admin options.</param>
    /// <param name="body">The work: admin client, standard output, standard error, cancellation; returns the exit code.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(
        ParseResult parseResult,
        AdminConnectionOptions options,
        Func<IMemoryFabricAdminClient, TextWriter, TextWriter, CancellationToken, Task<int>> body,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(body);
        var stdout = parseResult.InvocationConfiguration.Output;
        var stderr = parseResult.InvocationConfiguration.Error;
        var (endpoint, key) = options.Read(parseResult);
        // Deleting a large tenant can take a while; Ctrl+C stops the wait (the server finishes the deletion).
        using var http = new HttpClient();
        var admin = new MemoryFabricAdminClient(http, new MemoryFabricClientOptions { Endpoint = endpoint, ApiKey = key, Timeout = TimeSpan.FromMinutes(30) });
        try
        {
            return await body(admin, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryFabricApiException e)
        {
            await stderr.WriteLineAsync(ApiErrors.Describe(e, Hint(e.StatusCode, endpoint))).ConfigureAwait(false);
            return ApiErrors.ExitCode(e);
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException or IOException ? e.InnerException.Message : e.Message;
            await stderr.WriteLineAsync($"memfab: cannot reach {endpoint}: {ApiErrors.OneLine(reason)} (is `memfab serve` running at {endpoint}?)").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (System.Text.Json.JsonException e)
        {
            await stderr.WriteLineAsync($"memfab: {endpoint} did not answer like a MemoryFabric server: {ApiErrors.OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (TimeoutException e)
        {
            await stderr.WriteLineAsync($"memfab: {endpoint} did not answer in time: {ApiErrors.OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    private static string? Hint(HttpStatusCode status, Uri endpoint) => status switch
    {
        HttpStatusCode.Unauthorized => $"(pass the server's admin key with --key or set {AdminKey.EnvironmentVariable})",
        HttpStatusCode.Forbidden => $"(tenant commands need the admin key, not a tenant key: --key or {AdminKey.EnvironmentVariable})",
        HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => $"(is `memfab serve` running at {endpoint}?)",
        HttpStatusCode.InternalServerError => "(see the server's log)",
        _ => null,
    };
}
