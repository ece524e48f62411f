namespace MemoryFabric.Client.Tests;
