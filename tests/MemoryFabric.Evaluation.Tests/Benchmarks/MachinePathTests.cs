using MemoryFabric.Benchmarks;
using MemoryFabric.Benchmarks.Http;
using MemoryFabric.Benchmarks.Index;

namespace MemoryFabric.Evaluation.Tests.Benchmarks;

/// <summary>No machine path in the benchmarks' defaults: programs come from PATH (or beside memfab), datasets from the
/// repository's parents.</summary>
public sealed class MachinePathTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"memfab-paths-{Guid.NewGuid():N}");

    public MachinePathTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Defaults_name_no_machine_path()
    {
        var index = new IndexBenchmarkOptions();
        var http = new HttpBenchmarkOptions();

        Assert.Null(index.Python);
        Assert.EndsWith(BenchmarkDatasets.LocomoRelativePath, index.LocomoPath.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.EndsWith(BenchmarkDatasets.LocomoRelativePath, http.LocomoPath.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.Null(index.WorkDirectory);
        Assert.Null(http.DataDirectory);
    }

    [Fact]
    public void Executables_are_found_on_path_in_order_each_file_once()
    {
        var first = Dir("a");
        var second = Dir("b");
        var empty = Dir("c");
        var python = Executable(first, "python3");
        Executable(second, "python3");
        File.CreateSymbolicLink(Path.Combine(empty, "python3"), python);
        var path = string.Join(Path.PathSeparator, [empty, Path.Combine(_root, "missing"), first, second]);

        var all = ExecutableSearch.FindAll("python3", path);

        Assert.Equal([Path.Combine(empty, "python3"), Path.Combine(second, "python3")], all);
        Assert.Equal(Path.Combine(empty, "python3"), ExecutableSearch.Find("python3", path));
        Assert.Null(ExecutableSearch.Find("python3", Dir("d")));
        Assert.Null(ExecutableSearch.Find("python3", null));
    }

    [Fact]
    public void The_apphost_starts_itself()
    {
        var command = ProcessCommand.ForApplication("/opt/app/memfab.dll", "/opt/app/memfab", null, null);

        Assert.Equal(new ProcessCommand("/opt/app/memfab", []).Program, command.Program);
        Assert.Empty(command.Arguments);
    }

    [Fact]
    public void Under_the_dotnet_host_it_runs_the_assembly_with_that_host()
    {
        var command = ProcessCommand.ForApplication("/opt/app/memfab.dll", "/opt/dotnet/dotnet", null, null).With("serve");

        Assert.Equal("/opt/dotnet/dotnet", command.Program);
        Assert.Equal(["/opt/app/memfab.dll", "serve"], command.Arguments);
    }

    [Fact]
    public void From_a_test_host_it_takes_DOTNET_HOST_PATH_then_PATH()
    {
        var hostDirectory = Dir("host");
        var host = Executable(hostDirectory, "dotnet");

        var fromVariable = ProcessCommand.ForApplication("/opt/app/memfab.dll", "/opt/tests/testhost", host, null);
        var fromPath = ProcessCommand.ForApplication("/opt/app/memfab.dll", "/opt/tests/testhost", Path.Combine(_root, "gone", "dotnet"), hostDirectory);

        Assert.Equal(host, fromVariable.Program);
        Assert.Equal(host, fromPath.Program);
        Assert.Equal(["/opt/app/memfab.dll"], fromPath.Arguments);
        var missing = Assert.Throws<FileNotFoundException>(() => ProcessCommand.ForApplication("/opt/app/memfab.dll", "/opt/tests/testhost", null, Dir("none")));
        Assert.Contains("no dotnet", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_file_application_is_its_executable()
    {
        Assert.Equal("/opt/app/memfab", ProcessCommand.ForApplication(string.Empty, "/opt/app/memfab", null, null).Program);
    }

    [Fact]
    public async Task Python_is_the_first_on_path_that_imports_the_modules()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var without = Dir("venv");
        var with = Dir("system");
        Script(without, "python3", "echo \"ModuleNotFoundError: No module named 'hnswlib'\" >&2; exit 1");
        var good = Script(with, "python3", "exit 0");

        var found = await PythonInterpreter.ResolveAsync(null, ["numpy", "hnswlib"], without + Path.PathSeparator + with, CancellationToken.None);
        var none = await PythonInterpreter.ResolveAsync(null, ["numpy", "hnswlib"], without, CancellationToken.None);
        var absent = await PythonInterpreter.ResolveAsync(null, ["numpy", "faiss"], Dir("empty"), CancellationToken.None);
        var given = await PythonInterpreter.ResolveAsync(Path.Combine(_root, "nowhere", "python3"), ["numpy"], with, CancellationToken.None);

        Assert.Equal(good, found.Path);
        Assert.Null(none.Path);
        Assert.Contains("can import numpy, hnswlib", none.Error, StringComparison.Ordinal);
        Assert.Contains("No module named 'hnswlib'", none.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(without, "python3"), none.Error, StringComparison.Ordinal);
        Assert.Contains("no python3 on PATH", absent.Error, StringComparison.Ordinal);
        Assert.Contains("faiss", absent.Error, StringComparison.Ordinal);
        Assert.Contains("no such file", given.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_cache_knob_reports_why_it_cannot_be_used()
    {
        var missing = await PageCache.TryDropAsync(Path.Combine(_root, "no", "drop_caches"), CancellationToken.None);
        var knob = Path.Combine(_root, "drop_caches");
        await File.WriteAllTextAsync(knob, "0");
        var written = await PageCache.TryDropAsync(knob, CancellationToken.None);

        Assert.Contains("does not exist", missing, StringComparison.Ordinal);
        Assert.Null(written);
        Assert.Equal("3\n", await File.ReadAllTextAsync(knob));
    }

    private string Dir(string name)
    {
        var path = Path.Combine(_root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Executable(string directory, string name)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, string.Empty);
        return path;
    }

    private static string Script(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
