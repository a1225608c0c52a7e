/**
 * Pod networking through CNI, knowing nothing about Pods: plain requests (a container ID, a
 * network namespace path, CNI_ARGS, port mappings) in, CNI results and exceptions out.
 *
 * <ul>
 *   <li>{@link dev.peapod.network.CniConfigDir} picks the network configuration from a CNI
 *       configuration directory; {@link dev.peapod.network.DefaultCniConfig} writes Peapod's own
 *       when there is none.</li>
 *   <li>{@link dev.peapod.network.CniNetwork} runs ADD, DEL and CHECK of a configuration list
 *       against the plugin executables, as the CNI specification 1.0 describes, with a result
 *       cache that makes DEL work after a restart.</li>
 *   <li>{@link dev.peapod.network.NetnsManager} creates and removes the persistent network
 *       namespaces the plugins configure and the pod's infra process joins.</li>
 * </ul>
 * Failures are {@link dev.peapod.network.NetworkException}s; plugin failures are
 * {@link dev.peapod.network.CniException}s with the plugin's error object.
 */
package dev.peapod.network;
