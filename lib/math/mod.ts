/**
 * Exact mathematics of the disk decoder without biases (P Prop. 2, Eq. 7, App. B,
 * Figs. 11–12; S16–S18): Airy functions, the Airy-type profile and its ODE, the energy J and
 * its maximiser, and the comparisons with a learned profile.
 *
 * @module
 */

export * from "./airy_functions.ts";
export * from "./airy_profile.ts";
export * from "./compare_profiles.ts";
export * from "./correlation.ts";
export * from "./gauss_legendre.ts";
export * from "./generalized_eigen.ts";
export * from "./h_from_profile.ts";
export * from "./interpolate.ts";
export * from "./jacobi_eigen.ts";
export * from "./radial_energy.ts";
export * from "./rk4.ts";
export * from "./root_finding.ts";
export * from "./symmetric_eigen.ts";
