using System.Text;
using MemoryFabric.Cli.Commands;

namespace MemoryFabric.Cli.Tests;

public class ImportChunkTests
{
    [Fact]
    public async Task Records_are_split_at_line_boundaries_within_the_limit_and_blank_lines_dropped()
    {
        var text = "{\"a\":1}\n\n{\"b\":22}\r\n   \n{\"c\":333}\n{\"d\":4444}";
        using var source = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var chunks = new List<string>();
        await foreach (var chunk in ImportCommand.ReadChunksAsync(source, 20, CancellationToken.None))
        {
            chunks.Add(Encoding.UTF8.GetString(chunk));
        }

        Assert.Equal(["{\"a\":1}\n{\"b\":22}\r\n", "{\"c\":333}\n", "{\"d\":4444}\n"], chunks);
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_goes_alone()
    {
        using var source = new MemoryStream(Encoding.UTF8.GetBytes("{\"x\":\"0123456789\"}\n{}\n"));

        var chunks = new List<string>();
        await foreach (var chunk in ImportCommand.ReadChunksAsync(source, 5, CancellationToken.None))
        {
            chunks.Add(Encoding.UTF8.GetString(chunk));
        }

        Assert.Equal(["{\"x\":\"0123456789\"}\n", "{}\n"], chunks);
    }
}
