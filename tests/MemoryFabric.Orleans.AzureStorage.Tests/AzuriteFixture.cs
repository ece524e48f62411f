using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>
/// Azurite (the npm <c>azurite</c> package's full service: blob, queue and table, since Orleans' Azure clustering and
/// reminders use tables) on free loopback ports, in a temporary directory, shared by every test of this assembly
/// (<see cref="AzuriteTests"/>). The executable is, in order: <c>AZURITE_BIN</c>; <c>.ci/.tools/node_modules/.bin/azurite</c>
/// (what <c>.ci/run</c> installs) or <c>node_modules/.bin/azurite</c> under the repository root; <c>azurite</c> on the PATH.
/// Without one the tests FAIL with that message: they never pass without having run.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's well-known development account key.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _location = Path.Combine(Path.GetTempPath(), "mf-azurite-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _log = new();
    private Process? _process;

    /// <summary>The connection string of the emulator's account (blob, queue and table endpoints).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The executable that was started.</summary>
    public string Executable { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Executable = Find() ?? throw new InvalidOperationException(
            "Azurite was not found, so the Azure Storage tests cannot run. Install it with "
            + "`npm install --no-audit --no-fund --prefix .ci/.tools azurite@3.35.0` (what .ci/run does), or "
            + "`npm install -g azurite`, or set AZURITE_BIN to the `azurite` executable.");
        Directory.CreateDirectory(_location);
        int blob = FreePort(), queue = FreePort(), table = FreePort();
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--blobHost", "127.0.0.1", "--blobPort", Port(blob),
            "--queueHost", "127.0.0.1", "--queuePort", Port(queue),
            "--tableHost", "127.0.0.1", "--tablePort", Port(table),
            "--location", _location, "--disableTelemetry", "--skipApiVersionCheck", "--silent",
        })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start.");
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AccountKey
            + $";BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1"
            + $";QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1"
            + $";TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await new BlobServiceClient(ConnectionString).GetPropertiesAsync();
                await new TableServiceClient(ConnectionString).GetPropertiesAsync();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (_process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException(
                        $"Azurite ({Executable}) did not come up{(_process.HasExited ? $": it exited with {_process.ExitCode}" : " in 60 s")}.\n{Output()}", e);
                }

                await Task.Delay(200);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Where Azurite is, or <see langword="null"/>.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"AZURITE_BIN is {configured}, which does not exist.");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "MemoryFabric.sln")))
            {
                continue;
            }

            foreach (var candidate in new[] { Path.Combine(dir.FullName, ".ci", ".tools", "node_modules", ".bin", "azurite"), Path.Combine(dir.FullName, "node_modules", ".bin", "azurite") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            break;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "azurite"))
            .FirstOrDefault(File.Exists);
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < 64 * 1024)
            {
                _log.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One Azurite for the whole assembly; the tests of the collection run one after another (they start silos,
/// and the machine is small).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteTests : ICollectionFixture<AzuriteFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Azurite";
}
