@step-5 @step-6 @step-7
Feature: Face biometry and liveness
  The trusted image comes from verified evidence; a single-use verification token lets the face SDK
  upload one live capture; the server fetches the verdict from the provider itself.

  @RX-09 @positive @step-4 @smoke
  Scenario Outline: The trusted image is enrolled before any verification token
    Given a bank client with <document>
    When the client reaches the face check
    And the phone asks for a verification token
    Then the trusted image was enrolled before the verification token was issued

    Examples:
      | document        |
      | a passport chip |
      | an ID card      |

  @RX-09 @negative @step-4
  Scenario: No verification token for evidence that is not verified
    Given a bank client with an ID card
    When the client starts the reactivation
    And the client presents only the front of the ID card
    And the phone asks for a verification token
    Then no verification token is issued

  @RX-10 @positive @smoke
  Scenario: A fresh verification token accepts one capture
    Given the client has reached the face check
    When the phone asks for a verification token
    And the client shows their own face to the camera
    Then the capture is accepted

  @RX-10 @negative
  Scenario: A verification token is single-use
    Given the client has reached the face check
    When the phone asks for a verification token
    And the client shows their own face to the camera
    And the client shows their own face to the camera again with the same token
    Then the capture is refused

  @RX-10 @negative
  Scenario: A verification token expires after two minutes
    Given the client has reached the face check
    When the phone asks for a verification token
    And 121 seconds pass
    And the client shows their own face to the camera
    Then the capture is refused

  @RX-11 @RX-12 @RX-13 @positive @smoke
  Scenario: A live, matching face passes, as the provider judges it
    Given the client has reached the face check
    When the client scans their own face
    And the client types the OTP from the SMS
    Then the client is verified
    And the server fetched the verdict from the face provider

  @RX-11 @negative
  Scenario: The provider's verdict counts, not the device's capture
    Given the client has reached the face check
    And the face provider will judge the next capture as failed
    When the client scans their own face
    And the client types the OTP from the SMS
    Then the app is told only that verification failed
    And the server fetched the verdict from the face provider

  @RX-12 @negative
  Scenario Outline: Liveness attacks fail
    Given the client has reached the face check
    When the client scans <attack>
    And the client types the OTP from the SMS
    Then the app is told only that verification failed

    Examples:
      | attack                 |
      | a replayed recording   |
      | an injected still image |
      | a printed photo        |
      | a photo cut-out        |
      | a face on a screen     |

  @RX-13 @negative @smoke
  Scenario: Another person's face fails
    Given the client has reached the face check
    When the client scans another person's face
    And the client types the OTP from the SMS
    Then the app is told only that verification failed

  @RX-13 @negative
  Scenario: Presence checks are limited to five
    Given the client has reached the face check
    When the client asks for a verification token 5 times
    Then every verification token was new
    And the next verification token is refused with "PRESENCE_CHECK_LIMIT_REACHED"
    And the process is FAILED
