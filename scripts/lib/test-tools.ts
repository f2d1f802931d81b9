/** Tools the test suite needs beyond npm packages (provisioned before jest so tests never download). */
export async function provisionTestTools(log: (m: string) => void): Promise<void> {
  log('nothing extra to provision yet');
}
