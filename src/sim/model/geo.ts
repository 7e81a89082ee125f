/** Regions and cities the simulated retail org is spread over. Coordinates are approximate city centres. */

export interface City {
  readonly name: string;
  readonly state: string;
  readonly lat: number;
  readonly lng: number;
}

export interface Region {
  readonly name: string;
  readonly countryCode: string;
  readonly timezone: string;
  readonly tzOffsetMinutes: number;
  readonly cities: readonly City[];
}

const c = (name: string, state: string, lat: number, lng: number): City => ({ name, state, lat, lng });

export const REGIONS: readonly Region[] = [
  {
    name: 'Northeast', countryCode: 'US', timezone: 'America/New_York', tzOffsetMinutes: -300,
    cities: [c('Boston', 'MA', 42.36, -71.06), c('New York', 'NY', 40.71, -74.01), c('Hartford', 'CT', 41.76, -72.69),
      c('Providence', 'RI', 41.82, -71.41), c('Albany', 'NY', 42.65, -73.75), c('Portland', 'ME', 43.66, -70.26)],
  },
  {
    name: 'Mid-Atlantic', countryCode: 'US', timezone: 'America/New_York', tzOffsetMinutes: -300,
    cities: [c('Philadelphia', 'PA', 39.95, -75.17), c('Baltimore', 'MD', 39.29, -76.61), c('Richmond', 'VA', 37.54, -77.44),
      c('Pittsburgh', 'PA', 40.44, -80.0), c('Newark', 'NJ', 40.74, -74.17), c('Wilmington', 'DE', 39.74, -75.55)],
  },
  {
    name: 'Southeast', countryCode: 'US', timezone: 'America/New_York', tzOffsetMinutes: -300,
    cities: [c('Atlanta', 'GA', 33.75, -84.39), c('Miami', 'FL', 25.76, -80.19), c('Charlotte', 'NC', 35.23, -80.84),
      c('Orlando', 'FL', 28.54, -81.38), c('Tampa', 'FL', 27.95, -82.46), c('Savannah', 'GA', 32.08, -81.09)],
  },
  {
    name: 'Midwest', countryCode: 'US', timezone: 'America/Chicago', tzOffsetMinutes: -360,
    cities: [c('Chicago', 'IL', 41.88, -87.63), c('Detroit', 'MI', 42.33, -83.05), c('Minneapolis', 'MN', 44.98, -93.27),
      c('Milwaukee', 'WI', 43.04, -87.91), c('St. Louis', 'MO', 38.63, -90.2), c("Coeur d'Alene", 'ID', 47.68, -116.78)],
  },
  {
    name: 'South Central', countryCode: 'US', timezone: 'America/Chicago', tzOffsetMinutes: -360,
    cities: [c('Dallas', 'TX', 32.78, -96.8), c('Houston', 'TX', 29.76, -95.37), c('Austin', 'TX', 30.27, -97.74),
      c('San Antonio', 'TX', 29.42, -98.49), c('New Orleans', 'LA', 29.95, -90.07), c('Oklahoma City', 'OK', 35.47, -97.52)],
  },
  {
    name: 'Mountain', countryCode: 'US', timezone: 'America/Denver', tzOffsetMinutes: -420,
    cities: [c('Denver', 'CO', 39.74, -104.99), c('Salt Lake City', 'UT', 40.76, -111.89), c('Albuquerque', 'NM', 35.08, -106.65),
      c('Boise', 'ID', 43.62, -116.2), c('Colorado Springs', 'CO', 38.83, -104.82), c('Phoenix', 'AZ', 33.45, -112.07)],
  },
  {
    name: 'Pacific', countryCode: 'US', timezone: 'America/Los_Angeles', tzOffsetMinutes: -480,
    cities: [c('Seattle', 'WA', 47.61, -122.33), c('Portland', 'OR', 45.52, -122.68), c('San Francisco', 'CA', 37.77, -122.42),
      c('Los Angeles', 'CA', 34.05, -118.24), c('San Diego', 'CA', 32.72, -117.16), c('Sacramento', 'CA', 38.58, -121.49)],
  },
  {
    name: 'Canada', countryCode: 'CA', timezone: 'America/Toronto', tzOffsetMinutes: -300,
    cities: [c('Toronto', 'ON', 43.65, -79.38), c('Montréal', 'QC', 45.5, -73.57), c('Ottawa', 'ON', 45.42, -75.7),
      c('Québec', 'QC', 46.81, -71.21), c('Hamilton', 'ON', 43.26, -79.87), c('Laval', 'QC', 45.61, -73.71)],
  },
];

export const STREETS: readonly string[] = [
  'Main St', 'Market St', 'Oak Ave', 'Commerce Dr', 'Elm St', 'Maple Ave', 'Broadway', 'Park Blvd', 'Lakeview Rd',
  'Washington Ave', 'Harbor Way', 'Mill Rd', 'Station Sq', 'Union Ave', 'Ridge Rd', 'Cedar Ln',
];

export const STORE_FORMATS: readonly string[] = ['Superstore', 'Neighborhood', 'Express', 'Outlet'];

export const BROADBAND_ISPS: readonly string[] = ['Comcast Business', 'Spectrum Business', 'Verizon Fios', 'AT&T Fiber', 'Cox Business', 'Rogers', 'Bell Canada'];
export const MPLS_CARRIERS: readonly string[] = ['Lumen MPLS', 'AT&T VPN', 'Verizon PIP'];
export const LTE_CARRIERS: readonly string[] = ['Verizon Wireless', 'T-Mobile', 'AT&T Mobility'];
