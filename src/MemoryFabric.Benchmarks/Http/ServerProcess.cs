using System.Diagnostics;

namespace MemoryFabric.Benchmarks.Http;

/// <summary>The MemoryFabric server as a fresh process of its own (<c>memfab serve</c>) on a free loopback port, for
/// the cold-activation phase: nothing of it (JIT, loaded assemblies, caches) is shared with the benchmark.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private const int TailLines = 10;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Task _pumps;
    private bool _stopped;

    private ServerProcess(Process process, Uri address, long startTimestamp, TextWriter log)
    {
        _process = process;
        Address = address;
        StartTimestamp = startTimestamp;
        _pumps = Task.WhenAll(PumpAsync(process.StandardOutput, null), PumpAsync(process.StandardError, log));
    }

    /// <summary>Where it listens.</summary>
    public Uri Address { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> just before the process was started.</summary>
    public long StartTimestamp { get; }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Its last lines of output, joined with " | ".</summary>
    public string OutputTail
    {
        get
        {
            lock (_tail)
            {
                return string.Join(" | ", _tail);
            }
        }
    }

    /// <summary>Starts the server.</summary>
    /// <param name="command">The server's command (e.g. <c>dotnet memfab.dll serve</c>).</param>
    /// <param name="dataDirectory">Its data directory.</param>
    /// <param name="embedder">auto, minilm, hashing or openai.</param>
    /// <param name="adminKey">The admin key.</param>
    /// <param name="consolidateAfterTurns">MemoryFabric:ConsolidateAfterTurns, or the default.</param>
    /// <param name="log">Receives the server's standard error.</param>
    /// <returns>The running process (listening a moment later).</returns>
    public static ServerProcess Start(ProcessCommand command, string dataDirectory, string embedder, string adminKey, int? consolidateAfterTurns, TextWriter log)
    {
        var port = LoopbackPort.Free();
        var address = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo(command.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Configuration through the environment, which both `memfab serve` and MemoryFabric.Server read.
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["MemoryFabric__DataDirectory"] = dataDirectory;
        start.Environment["MemoryFabric__Embedder"] = embedder;
        start.Environment["MemoryFabric__AdminKey"] = adminKey;
        start.Environment["MemoryFabric__RateLimitPerSecond"] = "0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (consolidateAfterTurns is { } after)
        {
            start.Environment["MemoryFabric__ConsolidateAfterTurns"] = after.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var timestamp = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{command.Program} did not start");
        return new ServerProcess(process, address, timestamp, log);
    }

    /// <summary>Stops the server gracefully (SIGTERM: every active agent persists), or kills it after two minutes.</summary>
    /// <returns>How long the stop took.</returns>
    public async Task<TimeSpan> StopAsync()
    {
        if (_stopped)
        {
            return TimeSpan.Zero;
        }

        _stopped = true;
        var clock = Stopwatch.StartNew();
        if (!_process.HasExited)
        {
            var kill = ExecutableSearch.Find("kill", ExecutableSearch.CurrentPath);
            if (kill is not null)
            {
                using var signal = Process.Start(new ProcessStartInfo(kill) { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
                if (signal is not null)
                {
                    await signal.WaitForExitAsync().ConfigureAwait(false);
                }
            }

            using var timeout = new CancellationTokenSource(kill is null ? TimeSpan.Zero : TimeSpan.FromMinutes(2));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        await _pumps.ConfigureAwait(false);
        _process.Dispose();
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task PumpAsync(StreamReader reader, TextWriter? log)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (log is not null && line.Length > 0)
            {
                await log.WriteLineAsync("memfab bench http: server process: " + line).ConfigureAwait(false);
            }

            lock (_tail)
            {
                _tail.Enqueue(line);
                if (_tail.Count > TailLines)
                {
                    _tail.Dequeue();
                }
            }
        }
    }
}
