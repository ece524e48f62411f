using System.Text.Json;

namespace MemoryFabric.Mcp.Conformance.Tests.Support;

/// <summary>The npm tools the tests drive, from one npm prefix: Node 22 (the npm package <c>node</c>), the official MCP
/// conformance suite and the MCP inspector, at the pinned versions. The prefix is <c>MEMFAB_MCP_TOOLS</c> when set,
/// else <c>.ci/.tools/mcp</c> in the repository, where <c>.ci/run</c> installs them. When neither has them the calling
/// <c>[SkippableFact]</c> is reported as skipped with <see cref="HowToGet"/>; a prefix with other versions fails.</summary>
internal sealed class McpTools
{
    public const string NodeVersion = "22.23.3";
    public const string ConformanceVersion = "0.1.16";
    public const string InspectorVersion = "2.12.0";
    public const string EnvironmentVariable = "MEMFAB_MCP_TOOLS";

    public const string InstallCommand =
        $"npm install --no-audit --no-fund --prefix .ci/.tools/mcp node@{NodeVersion} " +
        $"@modelcontextprotocol/conformance@{ConformanceVersion} @modelcontextprotocol/inspector@{InspectorVersion}";

    public const string HowToGet =
        $"`bash .ci/run` installs them, or run `{InstallCommand}` in the repository (or set {EnvironmentVariable} to an npm prefix holding them)";

    private McpTools(string prefix)
    {
        Prefix = prefix;
        var modules = Path.Combine(prefix, "node_modules");
        Node = Path.Combine(modules, "node", "bin", "node");
        Conformance = Path.Combine(modules, "@modelcontextprotocol", "conformance", "dist", "index.js");
        Inspector = Path.Combine(modules, "@modelcontextprotocol", "inspector", "clients", "launcher", "build", "index.js");
    }

    /// <summary>The npm prefix (the directory holding <c>node_modules</c>).</summary>
    public string Prefix { get; }

    /// <summary>The Node 22 binary of the npm package <c>node</c>.</summary>
    public string Node { get; }

    /// <summary>The conformance suite's CLI script (<c>conformance</c>).</summary>
    public string Conformance { get; }

    /// <summary>The inspector's launcher script (<c>mcp-inspector</c>; <c>--cli</c> selects its CLI client).</summary>
    public string Inspector { get; }

    /// <summary>The tools, or a skip of the calling test when they are not installed.</summary>
    public static McpTools Require()
    {
        var named = Environment.GetEnvironmentVariable(EnvironmentVariable);
        string prefix;
        if (named is { Length: > 0 })
        {
            prefix = Path.GetFullPath(named);
            if (!Directory.Exists(Path.Combine(prefix, "node_modules")))
            {
                throw new DirectoryNotFoundException($"{EnvironmentVariable}={named} has no node_modules: {HowToGet}");
            }
        }
        else
        {
            prefix = Path.Combine(RepositoryRoot(), ".ci", ".tools", "mcp");
        }

        var tools = new McpTools(prefix);
        string[] missing = [.. new[] { tools.Node, tools.Conformance, tools.Inspector }.Where(f => !File.Exists(f))];
        Skip.If(missing.Length > 0 && named is not { Length: > 0 },
            $"the MCP tools (Node {NodeVersion}, conformance {ConformanceVersion}, inspector {InspectorVersion}) are not in {prefix}: {HowToGet}");
        Assert.True(missing.Length == 0, $"{EnvironmentVariable}={named} lacks {string.Join(", ", missing)}: {HowToGet}");

        // The pins: a prefix holding other versions is a broken install, not a reason to skip.
        Assert.Equal(ConformanceVersion, PackageVersion(tools.Conformance, 2));
        Assert.Equal(InspectorVersion, PackageVersion(tools.Inspector, 4));
        Assert.Equal(NodeVersion, PackageVersion(tools.Node, 2));
        return tools;
    }

    /// <summary>Where the repository is (the directory of <c>MemoryFabric.sln</c> above the test binaries).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MemoryFabric.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"MemoryFabric.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>Runs <c>node SCRIPT ARGS</c> with the Node 22 binary first on the <c>PATH</c> (so that anything the
    /// script starts runs on it too), in <paramref name="workingDirectory"/>, with <c>HOME</c> there as well so no tool
    /// writes into the user's home.</summary>
    public Task<ToolRun> RunAsync(string script, IEnumerable<string> args, string workingDirectory, TimeSpan timeout) =>
        ToolRun.RunAsync(Node, [script, .. args], workingDirectory, timeout, new Dictionary<string, string>
        {
            ["PATH"] = Path.GetDirectoryName(Node) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
            ["HOME"] = workingDirectory,
            ["NO_COLOR"] = "1",
            ["FORCE_COLOR"] = "0",
            ["NODE_OPTIONS"] = string.Empty,
            ["npm_config_update_notifier"] = "false",
        });

    // node_modules/<package>/package.json, <depth> directories above the file.
    private static string? PackageVersion(string file, int depth)
    {
        var dir = Path.GetDirectoryName(file);
        for (var i = 1; i < depth && dir is not null; i++)
        {
            dir = Path.GetDirectoryName(dir);
        }

        var manifest = Path.Combine(dir!, "package.json");
        using var json = JsonDocument.Parse(File.ReadAllText(manifest));
        return json.RootElement.GetProperty("version").GetString();
    }
}
