namespace MemoryFabric.Runtime;
