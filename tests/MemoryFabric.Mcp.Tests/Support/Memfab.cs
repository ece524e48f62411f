using System.Diagnostics;
using ModelContextProtocol.Client;

namespace MemoryFabric.Mcp.Tests.Support;

/// <summary>The built <c>memfab</c> (memfab.dll beside the tests), started as a process the way an MCP client or a
/// user starts it.</summary>
internal static class Memfab
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "memfab.dll");

    /// <summary>The SDK's client over stdio to <c>memfab mcp ARGS</c>; standard error lines go to
    /// <paramref name="stderr"/>.</summary>
    public static async Task<McpClient> ConnectAsync(IList<string> stderr, params string[] args)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "memfab",
            Command = "dotnet",
            Arguments = ["exec", Dll, "mcp", .. args],
            EnvironmentVariables = Environment(),
            StandardErrorLines = line =>
            {
                lock (stderr)
                {
                    stderr.Add(line);
                }
            },
            ShutdownTimeout = TimeSpan.FromSeconds(30),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await McpClient.CreateAsync(transport, cancellationToken: timeout.Token);
    }

    /// <summary>Runs <c>memfab ARGS</c> to its end.</summary>
    public static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var process = Start(args, redirectInput: false);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>Starts <c>memfab ARGS</c> with redirected standard streams.</summary>
    public static Process Start(IEnumerable<string> args, bool redirectInput = true)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in Environment())
        {
            start.Environment[name] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start memfab");
    }

    // No stray configuration from the machine: no server URL, key or agent from the environment.
    private static Dictionary<string, string?> Environment() => new(StringComparer.Ordinal)
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["MEMORYFABRIC_URL"] = null,
        ["MEMORYFABRIC_API_KEY"] = null,
        ["MEMORYFABRIC_AGENT"] = null,
    };
}

/// <summary>A temporary data directory, deleted afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mf-mcp-stdio-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
