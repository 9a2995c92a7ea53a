/**
 * Compiles that span several processes, on LibTorch's own c10d engine: a TCPStore rendezvous and a
 * Gloo (CPU) or NCCL (GPU) process group. The pipeline asks {@link io.rotquant.compiler.distributed.RankGroup}
 * for its share of the work and for the collectives that join the shares; one process is a group of one.
 */
package io.rotquant.compiler.distributed;
