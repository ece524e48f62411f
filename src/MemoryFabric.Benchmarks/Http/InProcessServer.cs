using System.Diagnostics;
using System.Globalization;
using MemoryFabric.Embeddings;
using MemoryFabric.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>The real MemoryFabric server (Kestrel, SQLite, the chosen embedder) started in this process on a free
/// loopback port, with the rate limit off.</summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private InProcessServer(WebApplication app, Uri address, TimeSpan startTime)
    {
        _app = app;
        Address = address;
        StartTime = startTime;
        var embedder = app.Services.GetRequiredService<SelectedEmbedder>();
        EmbedderName = embedder.Name;
        EmbedderWarning = embedder.Warning;
        ConsolidateAfterTurns = app.Services.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value.ConsolidateAfterTurns;
    }

    /// <summary>Where it listens (<c>http://127.0.0.1:port/</c>).</summary>
    public Uri Address { get; }

    /// <summary>How long <see cref="StartAsync"/> took (embedder included).</summary>
    public TimeSpan StartTime { get; }

    public string EmbedderName { get; }

    public string? EmbedderWarning { get; }

    public int ConsolidateAfterTurns { get; }

    /// <summary>The settings of a server under `bench http` load: no per-tenant rate limit, and
    /// <c>ConsolidateAfterTurns</c> when given.</summary>
    /// <param name="consolidateAfterTurns">MemoryFabric:ConsolidateAfterTurns, or the default.</param>
    /// <returns>The settings, each <c>Name=value</c>.</returns>
    public static IReadOnlyList<string> LoadSettings(int? consolidateAfterTurns) => consolidateAfterTurns is { } after
        ? ["RateLimitPerSecond=0", "ConsolidateAfterTurns=" + after.ToString(CultureInfo.InvariantCulture)]
        : ["RateLimitPerSecond=0"];

    /// <summary>Builds and starts a server.</summary>
    /// <param name="dataDirectory">Its data directory.</param>
    /// <param name="embedder">auto, minilm, hashing or openai.</param>
    /// <param name="adminKey">The admin key to configure.</param>
    /// <param name="settings">More <c>MemoryFabric</c> settings, each <c>Name=value</c> (e.g.
    /// <see cref="LoadSettings"/>).</param>
    /// <param name="log">Receives the server's warnings (and the embedder's download progress).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="logPrefix">What the server's log lines start with: the command that runs it.</param>
    public static async Task<InProcessServer> StartAsync(
        string dataDirectory, string embedder, string adminKey, IEnumerable<string> settings, TextWriter log, CancellationToken cancellationToken, string logPrefix = "memfab bench http")
    {
        var args = new List<string>
        {
            "--urls=http://127.0.0.1:0",
            "--MemoryFabric:DataDirectory=" + dataDirectory,
            "--MemoryFabric:Embedder=" + embedder,
            "--MemoryFabric:AdminKey=" + adminKey,
        };
        args.AddRange(settings.Select(s => "--MemoryFabric:" + s));

        var clock = Stopwatch.StartNew();
        var app = MemoryFabricServer.Build([.. args], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(new BenchLoggerProvider(log, logPrefix));
        });
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        clock.Stop();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The in-process server reports no http address.");
        return new InProcessServer(app, new Uri(address.TrimEnd('/') + "/"), clock.Elapsed);
    }

    /// <summary>Stops the server (every active agent persists its state) and releases its files.</summary>
    /// <returns>How long the stop took.</returns>
    public async Task<TimeSpan> StopAsync()
    {
        if (_stopped)
        {
            return TimeSpan.Zero;
        }

        _stopped = true;
        var clock = Stopwatch.StartNew();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }

        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Forwards the server's warnings and errors (and the embedder's information, e.g. a model download) to
    /// the benchmark's progress output instead of the console, which holds the results.</summary>
    private sealed class BenchLoggerProvider(TextWriter log, string prefix) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new BenchLogger(log, prefix, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class BenchLogger(TextWriter log, string prefix, string category) : ILogger
    {
        private readonly LogLevel _minimum = category.EndsWith(".EmbedderHolder", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var name = category[(category.LastIndexOf('.') + 1)..];
            var message = formatter(state, exception);
            log.WriteLine(exception is null
                ? $"{prefix}: server {logLevel.ToString().ToLowerInvariant()} ({name}): {message}"
                : $"{prefix}: server {logLevel.ToString().ToLowerInvariant()} ({name}): {message}: {exception.GetType().Name}: {exception.Message}");
        }
    }
}
