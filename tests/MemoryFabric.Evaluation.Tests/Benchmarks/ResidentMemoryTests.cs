using MemoryFabric.Benchmarks;

namespace MemoryFabric.Evaluation.Tests.Benchmarks;

/// <summary>Reading <c>/proc/&lt;pid&gt;/status</c>: the anonymous / file-backed split every engine of
/// <c>memfab bench index</c> is measured with.</summary>
public class ResidentMemoryTests
{
    private const string Status = """
        Name:	dotnet
        Umask:	0022
        State:	S (sleeping)
        VmPeak:	 3401236 kB
        VmSize:	 3335700 kB
        VmHWM:	  181764 kB
        VmRSS:	  177696 kB
        RssAnon:	  120000 kB
        RssFile:	   57000 kB
        RssShmem:	     696 kB
        VmData:	  310000 kB
        Threads:	21
        """;

    [Fact]
    public void Parses_the_resident_set_split_into_bytes()
    {
        var memory = ResidentMemory.Parse(Status);

        Assert.NotNull(memory);
        Assert.Equal(177_696L * 1024, memory.TotalBytes);
        Assert.Equal(120_000L * 1024, memory.AnonBytes);
        Assert.Equal(57_000L * 1024, memory.FileBytes);
        Assert.Equal(696L * 1024, memory.ShmemBytes);
    }

    [Fact]
    public void A_status_without_the_split_gives_null()
    {
        Assert.Null(ResidentMemory.Parse("Name:\tinit\nVmRSS:\t  1000 kB\n"));
        Assert.Null(ResidentMemory.Parse(string.Empty));
    }

    [Fact]
    public void Growth_is_field_by_field()
    {
        var before = new ResidentMemory(100, 60, 40, 0);
        var after = new ResidentMemory(250, 90, 150, 10);

        Assert.Equal(new ResidentMemory(150, 30, 110, 10), after.Minus(before));
    }

    [Fact]
    public void This_process_adds_up_on_linux()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var memory = ResidentMemory.ReadSelf();

        Assert.NotNull(memory);
        Assert.True(memory.AnonBytes > 0);
        Assert.Equal(memory.TotalBytes, memory.AnonBytes + memory.FileBytes + memory.ShmemBytes);
    }
}
