using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MemoryFabric.Server.Tests.Support;

/// <summary>The real server as a separate process (the built MemoryFabric.Server.dll), on a free loopback port.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts the server on a free port and waits until <c>/readyz</c> answers 200.</summary>
    /// <param name="dataDirectory">Its data directory.</param>
    /// <param name="adminKey">Its admin key.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="settings">More settings, as <c>--Key=value</c> arguments (e.g. cluster mode's).</param>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, string adminKey, CancellationToken cancellationToken = default, params IEnumerable<string> settings)
    {
        // A port found free can be taken (by any process's outgoing connection) before the server binds it: the
        // server then exits with "address already in use", and only that failure is retried, on another port.
        for (var attempt = 1; ; attempt++)
        {
            var address = new Uri($"http://127.0.0.1:{FreePort()}");
            var server = Launch(
                address,
                ["MemoryFabric.Server.dll", "--urls", address.ToString(), $"--MemoryFabric:DataDirectory={dataDirectory}", "--MemoryFabric:Embedder=hashing", $"--MemoryFabric:AdminKey={adminKey}", .. settings],
                new Dictionary<string, string> { ["Logging__LogLevel__Default"] = "Warning" });
            try
            {
                await server.WaitReadyAsync(cancellationToken: cancellationToken);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server.HasExited && IsAddressInUse(server.Output))
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Whether a server's output says its port was taken.</summary>
    /// <param name="output">The output.</param>
    public static bool IsAddressInUse(string output) => output.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts <c>dotnet exec</c> on a built assembly of the test's output (the server, or <c>memfab.dll</c>
    /// with <c>serve</c>) that will serve at <paramref name="address"/>, without waiting for it.</summary>
    /// <param name="address">Where it will serve (given to it in <paramref name="arguments"/>).</param>
    /// <param name="arguments">The assembly's file name in the test's output, then its arguments.</param>
    /// <param name="environment">More environment variables.</param>
    public static ServerProcess Launch(Uri address, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["exec", Path.Combine(AppContext.BaseDirectory, arguments[0]), .. arguments.Skip(1)])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {arguments[0]}");
        var server = new ServerProcess(process, address);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>SIGKILL: no shutdown hooks, no flush.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Sends SIGTERM (what Kubernetes and systemd send first) and waits, at most <paramref name="patience"/>,
    /// for the process to exit.</summary>
    /// <param name="patience">How long to wait for the exit.</param>
    /// <param name="clock">The clock to read the exit on (one a caller started just before, to compare with its own
    /// readings), or none: a clock started here, just before the signal.</param>
    /// <returns>The time from the signal (or <paramref name="clock"/>'s start) to the exit, or <see langword="null"/>
    /// when it had not exited in time.</returns>
    public async Task<TimeSpan?> TerminateAsync(TimeSpan patience, Stopwatch? clock = null)
    {
        var started = clock ?? Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Signalled = started.Elapsed;
        return await WaitForExitAsync(patience) ? started.Elapsed : null;
    }

    /// <summary>When <see cref="TerminateAsync"/>'s <c>kill</c> had delivered SIGTERM (it had exited), on the clock it
    /// was given; <see langword="null"/> before. Spawning <c>kill</c> can take a second on a loaded machine, so the
    /// signal comes that much after the clock's start.</summary>
    public TimeSpan? Signalled { get; private set; }

    /// <summary>Waits, at most <paramref name="patience"/>, for the process to exit (and its output's last lines).</summary>
    /// <returns>Whether it exited.</returns>
    public async Task<bool> WaitForExitAsync(TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            _process.WaitForExit(); // the redirected output's last lines
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    /// <summary>Waits until <c>/readyz</c> answers 200; fails when the process exits first or
    /// <paramref name="patience"/> (60 s by default) passes.</summary>
    /// <param name="patience">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task WaitReadyAsync(TimeSpan? patience = null, CancellationToken cancellationToken = default)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var wait = patience ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await client.GetAsync("/readyz", cancellationToken)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The server did not become ready in {wait.TotalSeconds:F0} s:\n{Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
