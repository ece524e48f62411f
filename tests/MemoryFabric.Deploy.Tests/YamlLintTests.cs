using Xunit.Abstractions;

namespace MemoryFabric.Deploy.Tests;

/// <summary>yamllint (deploy/yamllint.yaml, strict) over the static YAML: deploy/ and the chart's Chart.yaml and
/// values.yaml (the templates are Go templates, not YAML). The same files are also parsed strictly and checked for the
/// basic rules without yamllint; the yamllint tests themselves are reported as skipped where yamllint is missing (it
/// is a Debian package, which <c>.ci/run</c> installs).</summary>
public sealed class YamlLintTests(ITestOutputHelper output)
{
    private const string HowToGetYamllint = "apt-get install yamllint (`bash .ci/run` does, as root), or set MEMFAB_YAMLLINT to it";

    private static readonly string Config = Path.Combine("deploy", "yamllint.yaml");

    private static List<string> StaticYamlFiles() =>
    [
        .. Directory.EnumerateFiles(Repo.Deploy, "*.yaml", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Repo.Root, f)).Order(),
        Path.Combine("charts", "memory-fabric", "Chart.yaml"),
        Path.Combine("charts", "memory-fabric", "values.yaml"),
    ];

    private string Yamllint()
    {
        var yamllint = Repo.RequireTool("yamllint", "MEMFAB_YAMLLINT", HowToGetYamllint);
        output.WriteLine($"yamllint: {yamllint}");
        return yamllint;
    }

    [Fact]
    public void The_static_YAML_files_are_many_enough_to_mean_something()
    {
        var files = StaticYamlFiles();
        Assert.True(files.Count >= 12, string.Join("\n", files));
        Assert.Contains(Path.Combine("deploy", "kustomize", "overlays", "cluster", "statefulset-cluster.yaml"), files);
    }

    [SkippableFact]
    public void Yamllint_passes_on_deploy_and_the_chart_values()
    {
        var result = Repo.Run(Yamllint(), ["--strict", "-f", "parsable", "-c", Config, .. StaticYamlFiles()]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [SkippableFact]
    public void Yamllint_rejects_a_broken_file()
    {
        var yamllint = Yamllint();
        WithBrokenFile(bad =>
        {
            var result = Repo.Run(yamllint, "--strict", "-f", "parsable", "-c", Config, bad);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("key-duplicates", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("trailing-spaces", result.StandardOutput, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_static_YAML_passes_the_built_in_strict_parse_and_basic_rules() => FallbackLint(StaticYamlFiles());

    [Fact]
    public void The_built_in_checks_reject_a_broken_file() => WithBrokenFile(bad => Assert.ThrowsAny<Exception>(() => FallbackLint([bad])));

    private static void WithBrokenFile(Action<string> check)
    {
        var dir = Directory.CreateTempSubdirectory("memfab-yamllint-");
        try
        {
            var bad = Path.Combine(dir.FullName, "bad.yaml");
            File.WriteAllText(bad, "---\nkey: 1\nkey: 2\nlist:\n    - a   \n");
            check(bad);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Strict parse (duplicate keys rejected) plus yamllint's simplest rules from deploy/yamllint.yaml.</summary>
    private static void FallbackLint(IEnumerable<string> files)
    {
        foreach (var file in files)
        {
            var path = Path.IsPathRooted(file) ? file : Repo.PathOf(file);
            var text = File.ReadAllText(path);
            Assert.True(text.StartsWith("---\n", StringComparison.Ordinal), $"{file}: no document start");
            Assert.True(text.EndsWith('\n'), $"{file}: no newline at end of file");
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                Assert.False(lines[i].Contains('\t'), $"{file}:{i + 1}: tab");
                Assert.False(lines[i].EndsWith(' '), $"{file}:{i + 1}: trailing spaces");
                Assert.True(lines[i].Length <= 120, $"{file}:{i + 1}: line longer than 120");
            }

            Yaml.LoadAll(text);
        }
    }
}
