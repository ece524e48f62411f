using System.CommandLine;
using MemoryFabric.Server;
using MemoryFabric.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab serve</c>: runs the MemoryFabric HTTP server until Ctrl+C or SIGTERM, then stops it gracefully
/// (state persisted).</summary>
internal static class ServeCommand
{
    // A line per request is too much for a terminal; a failed start is reported by memfab on one line, not as a stack trace.
    private static readonly Dictionary<string, string?> QuietLogging = new(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning", // Orleans' placement pipeline logs every execution at Information
        ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = "Critical",
    };

    /// <summary>Builds the command.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var data = new Option<string?>("--data")
        {
            Description = "The data directory: SQLite database and the generated admin key (default: ./data, or MemoryFabric__DataDirectory).",
            HelpName = "dir",
        };
        var urls = new Option<string?>("--urls")
        {
            Description = "Where to listen, e.g. http://0.0.0.0:5080 (default: http://127.0.0.1:5080, or ASPNETCORE_URLS).",
            HelpName = "url",
        };
        var embedder = new Option<string?>("--embedder")
        {
            Description = "The embedder: auto (arctic-xs, else MiniLM, else hashing, with a warning; default), minilm, arctic-xs, hashing, or openai "
                + "(MEMORYFABRIC_OPENAI_ENDPOINT, MEMORYFABRIC_OPENAI_API_KEY, MEMORYFABRIC_OPENAI_EMBEDDING_MODEL).",
            HelpName = "auto|minilm|arctic-xs|hashing|openai",
        };
        embedder.AcceptOnlyFromAmong([.. EmbedderFactory.Names]);
        var inMemory = new Option<bool>("--in-memory")
        {
            Description = "Keep everything in memory (nothing written to disk; for demos and tests).",
        };
        var command = new Command("serve", "Run the MemoryFabric HTTP server (Ctrl+C stops it gracefully).") { data, urls, embedder, inMemory };

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = new ServeSettings(parseResult.GetValue(data), parseResult.GetValue(urls), parseResult.GetValue(embedder), parseResult.GetValue(inMemory));
            return await RunAsync(settings, parseResult.InvocationConfiguration.Output, parseResult.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The server's command-line arguments for the settings: only what was given, so that configuration
    /// (appsettings.json, <c>MemoryFabric__*</c> variables) applies to the rest.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The arguments.</returns>
    internal static string[] ServerArguments(ServeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var args = new List<string>();
        if (settings.Urls is { } urls)
        {
            args.Add($"--urls={urls}");
        }

        if (settings.DataDirectory is { } data)
        {
            args.Add($"--MemoryFabric:DataDirectory={Path.GetFullPath(data)}");
        }

        if (settings.Embedder is { } embedder)
        {
            args.Add($"--MemoryFabric:Embedder={embedder}");
        }

        if (settings.InMemory)
        {
            args.Add("--MemoryFabric:InMemory=true");
        }

        return [.. args];
    }

    /// <summary>Runs the server until <paramref name="cancellationToken"/> is cancelled (Ctrl+C, SIGTERM, or a test)
    /// or the host stops, then stops it gracefully.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="stdout">Where the banner goes.</param>
    /// <param name="stderr">Where errors go.</param>
    /// <param name="cancellationToken">Stops the server.</param>
    /// <returns>The exit code.</returns>
    internal static async Task<int> RunAsync(ServeSettings settings, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (settings.InMemory && settings.DataDirectory is not null)
        {
            throw new UsageException("--data and --in-memory exclude each other");
        }

        if (settings.Urls is { } urls)
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(url.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                    || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new UsageException($"--urls: \"{url}\" is not an http:// or https:// URL");
                }
            }
        }

        WebApplication app;
        try
        {
            app = MemoryFabricServer.Build(ServerArguments(settings), builder =>
                // Lowest priority: appsettings.json, MemoryFabric__*/Logging__* variables and arguments override these.
                builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = QuietLogging }));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"memfab serve: cannot start: {OneLine(e.Message)}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        await using (app.ConfigureAwait(false))
        {
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                throw new UsageException($"cannot start the server: {CleanMessage(e)}", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // e.g. the address is in use, the data directory is not writable, the admin key file is empty.
                await stderr.WriteLineAsync($"memfab serve: cannot start: {OneLine(e.Message)}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            StartupBanner.Print(app, stdout);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            var lifetime = app.Lifetime;
            using (cancellationToken.Register(lifetime.StopApplication))
            {
                // Returns once the host stopped (StopAsync ran: agents persisted, storage closed).
                await app.WaitForShutdownAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await stderr.WriteLineAsync("memfab serve: stopped").ConfigureAwait(false);
            return ExitCodes.Success;
        }
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string CleanMessage(ArgumentException e)
    {
        var cut = e.Message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return OneLine(cut > 0 ? e.Message[..cut] : e.Message);
    }

    /// <summary>The settings of <c>memfab serve</c>.</summary>
    /// <param name="DataDirectory">--data.</param>
    /// <param name="Urls">--urls.</param>
    /// <param name="Embedder">--embedder.</param>
    /// <param name="InMemory">--in-memory.</param>
    internal sealed record ServeSettings(string? DataDirectory, string? Urls, string? Embedder, bool InMemory);
}
