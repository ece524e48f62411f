using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>
/// Azurite's blob service on a free loopback port, in a temporary directory, for the tests of a class. Needs
/// <c>azurite-blob</c> on the PATH (<c>npm install -g azurite</c>) or its path in <c>AZURITE_BLOB</c>; without it the
/// tests fail with that message (this project is only built by MemoryFabric.Cluster.sln, whose prerequisites the
/// README lists).
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _location = Path.Combine(Path.GetTempPath(), "mf-azurite-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    /// <summary>The connection string of the emulator's account.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("AZURITE_BLOB") is { Length: > 0 } configured ? configured : FindOnPath("azurite-blob")
            ?? throw new InvalidOperationException("azurite-blob is not on the PATH: npm install -g azurite (or set AZURITE_BLOB to its path).");
        var port = FreePort();
        Directory.CreateDirectory(_location);
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList = { "--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", _location, "--silent", "--disableTelemetry", "--skipApiVersionCheck" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await new BlobServiceClient(ConnectionString).GetPropertiesAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
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

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
